package ai.kiku.common.error;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.inject.Singleton;

/**
 * Turns off HTTP/2 over plain text (h2c upgrade and prior knowledge) on every service. Vert.x's
 * h2c upgrade handler answered a request whose headers were too large with a bare 400 and then
 * left the connection hanging instead of the 431 HTTP/1.1 gives; Java's HttpClient asks for that
 * upgrade by default. Nothing here needs h2c: the ingress speaks HTTP/1.1 to the pods, and
 * HTTP/2 over TLS (ALPN), if ever configured, is untouched.
 */
@Singleton
public class NoCleartextHttp2 implements HttpServerOptionsCustomizer {

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(false);
    }
}
