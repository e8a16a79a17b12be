import Nozzle

/// `app nginx-config [--listen unix:/path.sock | HOST:PORT]`: a server block for this app, with its
/// socket, a keepalive upstream, and `client_max_body_size` set from the app's own body limits.
enum NginxConfigCommand {
    static func text(for app: App, options: ServeOptions) -> String {
        let program = System.programName
        let upstream = String(program.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }) + "_app"
        let server: String
        switch options.listen {
        case .unix(let path)?: server = "unix:\(path)"
        case .tcp(let host, let port)?: server = "\(host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "127.0.0.1"):\(port)"
        case nil: server = "unix:/run/nozzle/\(program).sock"
        }
        let limited = app.routes.routes.compactMap { route in route.config.bodyParser.map { (route, $0.sizeLimit) } }
        let streaming = app.routes.routes.filter { $0.config.bodyParser == nil }
        let bodySize: String
        let reason: String
        if let route = streaming.first {
            bodySize = "0"
            reason = "\(route.file.isEmpty ? route.pattern : route.file) streams its body with no limit of its own, so nginx sets none (0)."
        } else if let largest = limited.max(by: { ($0.1.bytes ?? 0) < ($1.1.bytes ?? 0) }) {
            // One MiB above the largest limit: at exactly the limit, nginx would answer 413 itself, in HTML.
            let megabytes = ((largest.1.bytes ?? 0) + (1 << 20) - 1) / (1 << 20) + 1
            bodySize = "\(megabytes)m"
            reason = "The largest body limit is \(largest.1.text) (\(largest.0.file.isEmpty ? largest.0.pattern : largest.0.file)); nginx's sits above it, so each route's own limit answers, in JSON."
        } else {
            bodySize = "1m"
            reason = "No route reads a body."
        }
        return """
            # A server block for \(program), from `\(program) nginx-config`. Include it from the http { } block.
            # Start the app with: \(program) --listen \(server) --socket-mode 0660

            upstream \(upstream) {
                server \(server);
                keepalive 64;
            }

            server {
                listen 8080;
                server_name _;

                # \(reason)
                client_max_body_size \(bodySize);

                location /api/ {
                    include fastcgi_params;
                    fastcgi_param REQUEST_ID $request_id;
                    fastcgi_keep_conn on;
                    fastcgi_pass \(upstream);
                }
            }

            """
    }
}
