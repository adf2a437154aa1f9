package ai.kiku.api.service;

import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** Checks over a request body's JSON tree that the parsers of several endpoints make alike. */
public final class RequestTrees {

    private RequestTrees() {
    }

    /** Whether an object anywhere in {@code node} has a non-null field named {@code name}. */
    public static boolean mentions(JsonNode node, String name) {
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (mentions(element, name)) {
                    return true;
                }
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if ((name.equals(field.getKey()) && !field.getValue().isNull()) || mentions(field.getValue(), name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Refuses, with a 400 naming {@code tools[i].type}, a tool whose {@code type} is not in {@code allowed}
     * ("" stands for a tool without a type): tools of other types carry fees or hidden prompts that no
     * reservation bounds. {@code tools} may be absent.
     */
    public static void requireToolTypes(JsonNode tools, Set<String> allowed, String allowedText) {
        if (tools == null || tools.isNull()) {
            return;
        }
        if (!tools.isArray()) {
            throw ProblemException.badRequest("tools", "tools must be an array");
        }
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            if (!tool.isObject()) {
                throw ProblemException.badRequest("tools[" + i + "]", "each tool must be an object");
            }
            String type = tool.path("type").asText("");
            if (!allowed.contains(type)) {
                throw ProblemException.badRequest("tools[" + i + "].type", "only " + allowedText + " are offered "
                        + "here: '" + type + "' carries fees or a hidden prompt that no reservation can bound");
            }
        }
    }
}
