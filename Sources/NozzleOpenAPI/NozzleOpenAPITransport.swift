public import HTTPTypes
public import Nozzle
import NozzleHTTPTypes
public import OpenAPIRuntime
import Synchronization

/// A swift-openapi-runtime `ServerTransport`: the operations that swift-openapi-generator's
/// `registerHandlers(on:)` puts on it become Nozzle routes, served beside the route files with the
/// same middleware, body limit, request ids, logs and status figures.
///
/// ```swift
/// var app = App(routes: .generated)
/// try app.openAPI { transport in try Handlers().registerHandlers(on: transport) }
/// app.main()
/// ```
///
/// A path of the document becomes a route pattern (`/api/greet/{name}` as `/api/greet/[name]`); a
/// path with a parameter inside a segment (`/file/{name}.zip`), which routes cannot express, is an
/// error at registration. A path that a route file serves too stops the app at start, naming both
/// (``App/configurationErrors``).
public final class NozzleOpenAPITransport: ServerTransport, Sendable {
    /// Handles one operation, as the generated code registers it.
    public typealias OperationHandler = @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)

    /// The largest request body an operation takes: more is a 413 naming the limit.
    public let sizeLimit: SizeLimit
    /// The largest response body an operation may give.
    public let responseLimit: Int
    /// Middleware that runs for these routes, after the app's.
    public let middleware: [any Middleware]

    private struct Operation {
        let template: String
        let pattern: String
        let method: String
        let handler: OperationHandler
    }

    private let operations = Mutex<[Operation]>([])

    /// A transport whose routes take bodies up to `sizeLimit` and run `middleware`.
    public init(sizeLimit: SizeLimit = "1mb", responseLimit: Int = 64 << 20, middleware: [any Middleware] = []) {
        self.sizeLimit = sizeLimit
        self.responseLimit = responseLimit
        self.middleware = middleware
    }

    /// What the transport cannot serve.
    public struct Unsupported: Error, CustomStringConvertible {
        /// Why.
        public let description: String
    }

    public func register(_ handler: @escaping OperationHandler, method: HTTPRequest.Method, path: String) throws {
        let pattern = try Self.pattern(of: path)
        operations.withLock { $0.append(Operation(template: path, pattern: pattern, method: method.rawValue, handler: handler)) }
    }

    /// `/api/greet/{name}` as a route pattern, `/api/greet/[name]`.
    static func pattern(of template: String) throws(Unsupported) -> String {
        var segments: [String] = []
        for segment in template.split(separator: "/", omittingEmptySubsequences: true) {
            if segment.hasPrefix("{"), segment.hasSuffix("}"), segment.count > 2, !segment.dropFirst().dropLast().contains(where: { "{}[]".contains($0) }) {
                segments.append("[\(segment.dropFirst().dropLast())]")
            } else if segment.contains(where: { "{}[]".contains($0) }) {
                throw Unsupported(description: "the OpenAPI path \(template) has a parameter inside a segment (\(segment)), which a route cannot match; give it a segment of its own")
            } else {
                segments.append(String(segment))
            }
        }
        return "/" + segments.joined(separator: "/")
    }

    /// The routes: one per path, serving each method registered for it.
    public var routes: [Route] {
        let operations = operations.withLock { $0 }
        var order: [String] = []
        var byPattern: [String: [Operation]] = [:]
        for operation in operations {
            if byPattern[operation.pattern] == nil { order.append(operation.pattern) }
            byPattern[operation.pattern, default: []].append(operation)
        }
        let config = RouteConfig(bodyParser: nil, middleware: middleware)
        return order.map { pattern in
            let operations = byPattern[pattern]!
            var handlers: [String: Handler] = [:]
            for operation in operations { handlers[operation.method] = serve(operation.handler) }
            let methods = operations.map(\.method).joined(separator: ", ")
            return Route(
                pattern, file: "the OpenAPI document's \(methods) \(operations[0].template)", config: config, handlers: handlers,
                documentation: RouteDocumentation("`\(operations[0].template)`, served from handlers generated from an OpenAPI document."))
        }
    }

    /// A Nozzle handler that hands the request to the generated one, and its answer back.
    private func serve(_ handler: @escaping OperationHandler) -> Handler {
        let sizeLimit = self.sizeLimit, responseLimit = self.responseLimit
        return { req, res in
            var body: HTTPBody?
            if req.hasBody {
                do {
                    body = HTTPBody(try await req.readBody(limit: sizeLimit.bytes ?? 1 << 20))
                } catch is BodyTooLarge {
                    throw HTTPError(413, "Body exceeded \(sizeLimit.text) limit")
                }
            }
            var parameters: [String: Substring] = [:]
            for (name, _) in req.params.entries { parameters[name] = req.params[name].map { Substring($0) } }
            let response: HTTPResponse
            let responseBody: HTTPBody?
            do {
                (response, responseBody) = try await handler(req.httpRequest, body, ServerRequestMetadata(pathParameters: parameters))
            } catch let error as ServerError where error.httpStatus.code < 500 {
                // What the document's types refuse (a missing parameter, a body that does not
                // decode, a content type it does not take): its status, and a body naming it.
                req.log.warning("\(error.operationID): \(error.causeDescription): \(error.underlyingError)")
                throw HTTPError(error.httpStatus.code, body: [
                    "error": .string(error.causeDescription), "reason": .string("\(error.underlyingError)"), "operation": .string(error.operationID),
                ])
            } catch let error as ServerError {
                // The handler's own failure: answered as any route's is (500, or the app's error handlers).
                throw error.underlyingError
            }
            res.httpResponse = response
            guard let responseBody else {
                res.end()
                return
            }
            res.send(try await [UInt8](collecting: responseBody, upTo: responseLimit))
        }
    }
}

extension App {
    /// Serves the operations `register` puts on a ``NozzleOpenAPITransport`` beside the route files:
    /// the generated `registerHandlers(on:)` of a type that conforms to the generated `APIProtocol`.
    ///
    /// ```swift
    /// try app.openAPI { try Handlers().registerHandlers(on: $0) }
    /// ```
    public mutating func openAPI(
        sizeLimit: SizeLimit = "1mb", middleware: [any Middleware] = [], _ register: (NozzleOpenAPITransport) throws -> Void
    ) throws {
        let transport = NozzleOpenAPITransport(sizeLimit: sizeLimit, middleware: middleware)
        try register(transport)
        routes = RouteTable(routes.routes + transport.routes)
    }
}
