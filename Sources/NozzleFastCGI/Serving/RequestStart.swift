/// What a request's task starts from, in one object: the task's closure then keeps one reference
/// (a closure keeps each of its captures in the frame it starts with, for as long as it waits).
final class RequestStart: Sendable {
    let server: FastCGIServer
    let variables: CGIEnvironment
    let body: FastCGIBodyChannel
    let sink: FastCGIResponseSink
    let id: String
    let logWriter: FastCGILogWriter

    init(server: FastCGIServer, variables: CGIEnvironment, body: FastCGIBodyChannel, sink: FastCGIResponseSink, id: String, logWriter: FastCGILogWriter) {
        self.server = server
        self.variables = variables
        self.body = body
        self.sink = sink
        self.id = id
        self.logWriter = logWriter
    }

    /// Answers the request through the app's pipeline, in two halves: what the request is made
    /// from is not kept while it waits.
    nonisolated(nonsending) func run() async {
        let pipeline = server.pipeline
        if let (req, res) = pipeline.begin(variables: variables, body: body, sink: sink, id: id, logWriter: logWriter) {
            await pipeline.answer(req, res)
        }
        server.requestEnded()
    }
}
