#if canImport(Glibc)
import Glibc
#endif

/// How the binary was started, detected in a fixed order.
enum StartMode: Equatable {
    /// fd 0 is a listening socket: spawn-fcgi, multiwatch, lighttpd's bin-path, or our supervisor.
    case inheritedSocket
    /// `--listen ADDR`: we open the socket.
    case listen(ListenAddress)
    /// systemd socket activation: `LISTEN_FDS` for this `LISTEN_PID`, the socket on fd 3.
    case systemd
    /// A CGI request: `GATEWAY_INTERFACE` is set. stdin may be a pipe, a file, or a connected socket
    /// (Apache's mod_cgid passes one), but not a listening socket: that is the first case.
    case cgi
    /// None of the above, such as a person typing the command in a terminal.
    case none

    static let systemdFirstFD: Int32 = 3

    static func detect(options: ServeOptions, environment: [String: String]) -> StartMode {
        if ListeningSocket.isListening(0) { return .inheritedSocket }
        if let address = options.listen { return .listen(address) }
        if let fds = environment["LISTEN_FDS"].flatMap({ Int($0) }), fds >= 1,
            let pid = environment["LISTEN_PID"].flatMap({ Int32($0) }), pid == getpid()
        {
            return .systemd
        }
        if environment["GATEWAY_INTERFACE"] != nil { return .cgi }
        return .none
    }
}
