/// The text printed for `--help`, and when the binary is started by hand with nothing to serve.
enum Usage {
    static func text(program: String) -> String {
        """
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
          --listen ADDR                127.0.0.1:9000, [::1]:9000, :9000, or unix:/run/app.sock
          --socket-mode MODE           permissions of the unix socket, such as 0660
          --socket-owner USER[:GROUP]  owner of the unix socket
          --user NAME, --group NAME    run as this user and group once the socket is open
          --allow LIST                 addresses and CIDRs a TCP listener accepts (default: loopback);
                                       FCGI_WEB_SERVER_ADDRS is honoured too, for IPv4 and IPv6
          --workers N                  threads that run handlers' code (default \(ServeOptions.defaultWorkers)); a handler
                                       that awaits holds none
          --max-in-flight N            requests in flight at once, running or waiting (default
                                       \(ServeOptions.defaultMaxInFlight)); more wait on their connections
          --shutdown-timeout SECONDS   on SIGTERM, how long to let requests finish (default 30)
          --log-to-fastcgi-stderr      also write request errors to the web server's error log
          --base-path PATH             a URL prefix the routes do not include, such as /app
          --processes N                run N worker processes under a supervisor that replaces any that
                                       crash; SIGHUP reloads the executable from disk with no downtime
          --max-requests N             replace a worker process after N requests
          --max-requests-jitter N      each worker adds a random 0 to N to --max-requests, so that
                                       workers started together do not retire together
          --max-memory SIZE            replace a worker process whose resident memory passes SIZE
                                       (512mb, 1gb) once its requests in flight have finished
          --request-timeout SECONDS    cancel a handler and answer 504 after this long; a handler that
                                       holds a thread for twice this ends its worker process
          --status-path PATH           JSON status at PATH (?format=prometheus for Prometheus text)
          --ping-path PATH             "pong" at PATH; both only for clients in --allow (default loopback)
          --openapi-path PATH          the OpenAPI document at PATH, for the same clients
          --log-format logfmt|json     how log lines are written (default logfmt)
          --log-file PATH              append the log to PATH instead of stderr; SIGUSR1 reopens it
          --access-log                 a log line for every request: status, bytes, duration, request id
          --dev                        show error details in 500 responses
          -h, --help                   show this help

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
