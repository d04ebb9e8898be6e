package dev.strata.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal RESP client for tests: one command, its reply as text. */
final class Resp {

    private Resp() {}

    private static String reply(BufferedReader in) throws IOException {
        String line = in.readLine();
        if (line.startsWith("$") && !line.equals("$-1")) {
            return in.readLine();
        }
        if (line.startsWith("*")) {
            StringBuilder all = new StringBuilder();
            int n = Integer.parseInt(line.substring(1));
            for (int i = 0; i < n; i++) {
                all.append(i == 0 ? "" : " ").append(reply(in));
            }
            return all.toString();
        }
        return line;
    }

    static String call(int port, String... args) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            StringBuilder cmd = new StringBuilder("*" + args.length + "\r\n");
            for (String a : args) {
                cmd.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            return reply(in);
        }
    }
}
