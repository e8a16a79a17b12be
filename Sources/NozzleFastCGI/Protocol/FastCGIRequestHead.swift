import Nozzle

/// What BEGIN_REQUEST and the PARAMS stream say of a request: enough to start it.
package struct FastCGIRequestHead: Sendable {
    /// The request id the web server chose: replies carry it.
    package var id: UInt16
    /// `FCGI_KEEP_CONN`: the connection carries more requests after this one.
    package var keepConnection: Bool
    /// The params, as CGI variables.
    package var params: CGIEnvironment
}
