package ai.kiku.api.provider;

import java.util.ArrayList;
import java.util.List;

/**
 * The providers of one model sharing its load by weight ({@code kiku.llm.routes."m"=a@3,b@1}): each call
 * starts at the provider smooth weighted round robin picks (nginx's: over any window the shares follow the
 * weights, without bursts on one provider), and falls back to the others in their configured order.
 * Routes of weight 0 are only fallbacks.
 */
final class WeightedRoutes {

    private final List<Route> routes;
    private final int[] weights;
    private final long[] current;
    private final long total;

    WeightedRoutes(List<Route> routes, int[] weights) {
        this.routes = List.copyOf(routes);
        this.weights = weights.clone();
        this.current = new long[weights.length];
        long sum = 0;
        for (int weight : weights) {
            sum += weight;
        }
        this.total = sum;
    }

    /** Whether any route has a weight, so the load is shared at all. */
    boolean shared() {
        return total > 0;
    }

    /** The configured order, for callers that only look (the models list). */
    List<Route> configured() {
        return routes;
    }

    /** The order for one call: the picked provider first, then the others as configured. */
    List<Route> next() {
        int first = pick();
        List<Route> out = new ArrayList<>(routes.size());
        out.add(routes.get(first));
        for (int i = 0; i < routes.size(); i++) {
            if (i != first) {
                out.add(routes.get(i));
            }
        }
        return out;
    }

    private synchronized int pick() {
        int best = -1;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                current[i] += weights[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
        }
        current[best] -= total;
        return best;
    }
}
