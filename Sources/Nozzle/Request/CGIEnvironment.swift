/// FastCGI params or CGI variables, kept as they arrive: `NAME=VALUE` entries in one buffer.
///
/// A request reads only a handful of variables, so they are found by scanning instead of building
/// a dictionary of every param on every request.
public struct CGIEnvironment: Sendable {
    /// Where one variable is in ``storage``.
    struct Entry {
        var start: Int32
        var nameLength: Int32
        var valueLength: Int32
    }

    /// The variables' bytes, `NAME=VALUE` after `NAME=VALUE`.
    private(set) var storage: [UInt8]
    private(set) var entries: [Entry]

    /// Variables written straight into storage of their size: `fill` calls the function it is given
    /// once per variable, `variables` times, with `bytes` bytes in all (names, values and one `=`
    /// each), so that a request waiting keeps no more than its variables take, and no append checks
    /// capacity or uniqueness. More variables or bytes than said stop the process: the caller counts
    /// them from the same bytes it then adds.
    package init(
        variables: Int, bytes: Int,
        _ fill: (_ add: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) -> Void
    ) {
        var entries: [Entry] = []
        storage = [UInt8](unsafeUninitializedCapacity: bytes) { storage, written in
            entries = [Entry](unsafeUninitializedCapacity: variables) { entries, added in
                fill { name, value in
                    precondition(added < variables && name.count + 1 + value.count <= bytes - written, "more variables than counted")
                    entries.initializeElement(at: added, to: Entry(start: Int32(written), nameLength: Int32(name.count), valueLength: Int32(value.count)))
                    added += 1
                    let start = storage.baseAddress! + written
                    if let source = name.baseAddress { start.initialize(from: source, count: name.count) }
                    start[name.count] = UInt8(ascii: "=")
                    if let source = value.baseAddress { (start + name.count + 1).initialize(from: source, count: value.count) }
                    written += name.count + 1 + value.count
                }
            }
        }
        self.entries = entries
    }

    /// Variables from a dictionary.
    public init(_ variables: [String: String]) {
        var storage: [UInt8] = []
        var entries: [Entry] = []
        for (name, value) in variables.sorted(by: { $0.key < $1.key }) {
            entries.append(Entry(start: Int32(storage.count), nameLength: Int32(name.utf8.count), valueLength: Int32(value.utf8.count)))
            storage += Array(name.utf8)
            storage.append(UInt8(ascii: "="))
            storage += Array(value.utf8)
        }
        self.storage = storage
        self.entries = entries
    }

    /// The value of `name`, or nil.
    public subscript(name: String) -> String? {
        var name = name
        return name.withUTF8 { value(named: $0) }
    }

    func value(named wanted: UnsafeBufferPointer<UInt8>) -> String? {
        storage.withUnsafeBufferPointer { bytes in
            for entry in entries where Int(entry.nameLength) == wanted.count {
                let start = Int(entry.start)
                if memcmp(bytes.baseAddress! + start, wanted.baseAddress!, wanted.count) == 0 {
                    let valueStart = start + wanted.count + 1
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueStart + Int(entry.valueLength)]), as: UTF8.self)
                }
            }
            return nil
        }
    }

    /// Every variable, in the order received.
    public func forEach(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) {
        storage.withUnsafeBufferPointer { bytes in
            for entry in entries {
                let start = Int(entry.start)
                let valueStart = start + Int(entry.nameLength) + 1
                body(
                    UnsafeBufferPointer(rebasing: bytes[start..<start + Int(entry.nameLength)]),
                    UnsafeBufferPointer(rebasing: bytes[valueStart..<valueStart + Int(entry.valueLength)])
                )
            }
        }
    }

    /// Every variable as a dictionary.
    public var dictionary: [String: String] {
        var result = [String: String](minimumCapacity: 32)
        forEach { name, value in
            result[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        return result
    }

    /// The header fields: `HTTP_USER_AGENT` as `User-Agent`, plus `Content-Type` and `Content-Length`.
    /// A `CONTENT_LENGTH` of `-1`, which Caddy sends with a body it streams, reads as
    /// `Transfer-Encoding: chunked`, what the client sent.
    var headers: Headers {
        var headers = Headers()
        var streamed = false
        forEach { name, value in
            if name.count > 5, name[0] == UInt8(ascii: "H"), name[1] == UInt8(ascii: "T"), name[2] == UInt8(ascii: "T"),
                name[3] == UInt8(ascii: "P"), name[4] == UInt8(ascii: "_")
            {
                headers.add(Headers.name(fromCGI: UnsafeBufferPointer(rebasing: name[5...])), String(decoding: value, as: UTF8.self))
            } else if !value.isEmpty, name.elementsEqual("CONTENT_TYPE".utf8) {
                headers.add(Headers.name(fromCGI: name), String(decoding: value, as: UTF8.self))
            } else if !value.isEmpty, name.elementsEqual("CONTENT_LENGTH".utf8) {
                if value.elementsEqual("-1".utf8) {
                    streamed = true
                } else {
                    headers.add(Headers.name(fromCGI: name), String(decoding: value, as: UTF8.self))
                }
            }
        }
        if streamed, headers["Transfer-Encoding"] == nil { headers.add("Transfer-Encoding", "chunked") }
        return headers
    }

    /// Whether `CONTENT_LENGTH` says that a body comes whose length the web server does not know.
    static func isStreamedLength(_ value: String?) -> Bool { value == "-1" }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
