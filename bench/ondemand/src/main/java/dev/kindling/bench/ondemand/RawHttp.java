package dev.kindling.bench.ondemand;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The cheapest HTTP/1.1 client there is: one kept-alive socket, a GET written and its answer read on the
 * calling thread (status line, headers, a body of Content-Length bytes). The bench times single requests
 * with it; {@code java.net.http.HttpClient} hands each request to its own threads, which cost about 3 ms
 * per request on the 2-core machine (a {@code GET /healthz} Jetty answers in 0.07 ms took 3-5 ms).
 */
final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String host;

    /** Connects to {@code host:port}. */
    RawHttp(String host, int port) throws IOException {
        this.socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(120_000);
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream());
        this.host = host + ":" + port;
    }

    /** A status and a body. */
    record Answer(int status, String body) {
    }

    /** Sends {@code GET path} and reads the whole answer. */
    Answer get(String path) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = line();
        int length = -1;
        for (String h = line(); !h.isEmpty(); h = line()) {
            if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        if (length < 0) {
            throw new IOException("an answer without Content-Length: " + status);
        }
        byte[] body = in.readNBytes(length);
        return new Answer(Integer.parseInt(status.split(" ")[1]), new String(body, StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection closed mid-answer");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
