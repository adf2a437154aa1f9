package ai.kiku.devstack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A throw-away self-signed certificate for 127.0.0.1 (openssl), for servers that tests reach over TLS. */
final class SelfSignedCertificate {

    private SelfSignedCertificate() {
    }

    /** Writes {@code dir/cert.pem} and {@code dir/key.pem}; fails when openssl is not installed. */
    static void create(Path dir) {
        String openssl = Binaries.onPath("openssl").map(Path::toString)
                .orElseThrow(() -> new IllegalStateException("TLS needs openssl on PATH to make a test certificate"));
        Processes.run(List.of(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString()),
                dir.resolve("openssl.log"), Duration.ofSeconds(60));
    }
}
