import Nozzle

/// What BEGIN_REQUEST and the PARAMS stream say of a request: enough to start it.
@_spi(Fuzzing) public struct FastCGIRequestHead: Sendable {
    /// The request id the web server chose: replies carry it.
    public var id: UInt16
    /// `FCGI_KEEP_CONN`: the connection carries more requests after this one.
    public var keepConnection: Bool
    /// The params, as CGI variables.
    public var params: CGIEnvironment
}
