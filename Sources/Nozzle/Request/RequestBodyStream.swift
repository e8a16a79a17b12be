/// The request body as an async sequence of chunks, for routes with `bodyParser: false`: uploads,
/// proxies, anything too large to hold in memory.
///
/// ```swift
/// enum Upload: APIRoute {
///     static let config = RouteConfig(bodyParser: false)
///     static func POST(_ req: Request, _ res: Response) async throws {
///         var total = 0
///         for try await chunk in req.bodyStream(limit: "2gb") { total += chunk.count }
///         res.json(["bytes": .int(total)])
///     }
/// }
/// ```
public struct RequestBodyStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    let request: Request
    let limit: SizeLimit?

    public struct AsyncIterator: AsyncIteratorProtocol {
        let request: Request
        let limit: SizeLimit?
        var total = 0

        /// The next chunk, or nil at the end of the body. Waiting for it holds no thread.
        ///
        /// - Throws: ``HTTPError`` 413 once more than the limit has arrived.
        public mutating func next() async throws -> [UInt8]? {
            // CONTENT_LENGTH over the limit is decided before reading anything.
            if total == 0, let limit, let bytes = limit.bytes, let length = request.contentLength, length > bytes {
                throw HTTPError(413, "Body exceeded \(limit.text) limit").withMessageAsReason()
            }
            guard let chunk = try await request.bodySource.next() else { return nil }
            total += chunk.count
            if let limit, let bytes = limit.bytes, total > bytes {
                throw HTTPError(413, "Body exceeded \(limit.text) limit").withMessageAsReason()
            }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(request: request, limit: limit)
    }
}

extension Request {
    /// The body as it arrives, in chunks; with a limit, more than that many bytes is a 413.
    ///
    /// - Important: Use it in routes with `bodyParser: false`; with the parser on, the body has
    ///   already been read into ``rawBody``.
    public func bodyStream(limit: SizeLimit? = nil) -> RequestBodyStream {
        bodyConsumed = true
        return RequestBodyStream(request: self, limit: limit)
    }
}
