/// The text printed for `--help`, and when the binary is started by hand with nothing to serve.
enum Usage {
    static func text(program: String) -> String {
        // From the option table, so that --help lists exactly what the parser takes.
        let options = ServeOptions.table.flatMap(\.usageLines).joined(separator: "\n")
        return """
        Usage: \(program) [serve] [options]
               \(program) routes
               \(program) openapi
               \(program) call METHOD PATH [-H 'Name: value']... [-d BODY | -d @FILE]
               \(program) nginx-config [--listen ADDR]

        A Nozzle app: a FastCGI responder for nginx (or any FastCGI web server), and a CGI program.

        How it starts, checked in this order:
          fd 0 is a listening socket   spawn-fcgi, multiwatch, lighttpd bin-path: serve FastCGI on it
          --listen ADDR                open ADDR and serve FastCGI on it
          LISTEN_FDS / LISTEN_PID      systemd socket activation: serve FastCGI on fd 3
          GATEWAY_INTERFACE is set     CGI: answer one request from the environment and stdin
          none of these                print this help and exit 2

        Options:
        \(options)

        Commands:
          serve                        serve requests (the default)
          routes                       print the route table: patterns, methods, files, body limits
          openapi                      print the OpenAPI 3.1 document of the routes
          call METHOD PATH             answer one request in-process, no web server, and print it
          nginx-config                 print an nginx server block for this app

        Behind nginx:
          \(program) --listen unix:/run/app.sock --socket-mode 0660
          # nginx:  upstream app { server unix:/run/app.sock; keepalive 64; }
          #         location /api/ { include fastcgi_params; fastcgi_keep_conn on; fastcgi_pass app; }

        Under spawn-fcgi:
          spawn-fcgi -n -s /run/app.sock -M 0660 -- \(program)

        """
    }
}
