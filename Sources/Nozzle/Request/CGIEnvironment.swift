/// FastCGI params or CGI variables, kept as they arrive: names and values in one buffer, found
/// through a list of where each is.
///
/// A request reads only a handful of variables, so they are found by scanning instead of building
/// a dictionary of every param on every request; the few that every request reads (`Known`) are
/// noted as the environment is built, and read without a scan.
public struct CGIEnvironment: Sendable {
    /// Where one variable is in ``storage``: its name at `start`, its value right after the name.
    /// A tuple, so that the FastCGI host makes one for each variable without a call into this module.
    package typealias Entry = (start: Int32, nameLength: Int32, valueLength: Int32)

    /// The variables' bytes: each name followed by its value, with whatever bytes came between one
    /// variable and the next (FastCGI's lengths).
    private(set) var storage: [UInt8]
    private(set) var entries: [Entry]
    /// For each ``Known`` variable, by its raw value, the index in ``entries`` of the first variable
    /// of that name, or ``Known/none`` when there is none among the first 255: what a scan for the
    /// name would find. One byte each, since a copy of the environment is in each waiting request's
    /// frames and objects; a web server sends a few dozen variables.
    private var known = Known.Slots(repeating: Known.none)

    /// The variables at `places` in `source`, which is copied whole, in one piece, as the
    /// environment's storage: FastCGI's params as they arrived, each name followed by its value. A
    /// request waiting keeps no more than its params took. A place outside `source` stops the
    /// process: the caller finds the places in the same bytes.
    package init(places: UnsafeBufferPointer<Entry>, in source: UnsafeBufferPointer<UInt8>) {
        var known = Known.Slots(repeating: Known.none)
        for (index, place) in places.enumerated() {
            let start = Int(place.start), nameLength = Int(place.nameLength), valueLength = Int(place.valueLength)
            precondition(
                start >= 0 && nameLength >= 0 && valueLength >= 0 && nameLength + valueLength <= source.count - start,
                "a variable outside the bytes given")
            Known.note(UnsafeBufferPointer(start: source.baseAddress.map { $0 + start }, count: nameLength), at: index, in: &known)
        }
        entries = Array(places)
        storage = Array(source)
        self.known = known
    }

    /// Variables from a dictionary.
    public init(_ variables: [String: String]) {
        var storage: [UInt8] = []
        var entries: [Entry] = []
        var known = Known.Slots(repeating: Known.none)
        for (name, value) in variables.sorted(by: { $0.key < $1.key }) {
            HTTPText.withBytes(of: name) { Known.note($0, at: entries.count, in: &known) }
            entries.append((start: Int32(storage.count), nameLength: Int32(name.utf8.count), valueLength: Int32(value.utf8.count)))
            storage += Array(name.utf8)
            storage += Array(value.utf8)
        }
        self.storage = storage
        self.entries = entries
        self.known = known
    }

    /// The value of `name`, or nil; the first, when the web server sent the name twice.
    public subscript(name: String) -> String? {
        HTTPText.withBytes(of: name) { wanted in
            if let variable = Known(named: wanted) { return self[variable] }
            return value(named: wanted)
        }
    }

    /// The value of a variable every request reads, or nil; the first, as ``subscript(_:)-(String)``.
    subscript(variable: Known) -> String? {
        let slot = known[variable.rawValue]
        if slot != Known.none { return value(of: entries[Int(slot)]) }
        // Past the variables noted, the first of the name is found by a scan.
        guard entries.count > Int(Known.none) else { return nil }
        return variable.name.withUTF8Buffer { value(named: $0) }
    }

    /// The value of `wanted` found by a scan of every variable.
    func value(named wanted: UnsafeBufferPointer<UInt8>) -> String? {
        storage.withUnsafeBufferPointer { bytes in
            for entry in entries where Int(entry.nameLength) == wanted.count {
                if memcmp(bytes.baseAddress! + Int(entry.start), wanted.baseAddress!, wanted.count) == 0 { return value(of: entry) }
            }
            return nil
        }
    }

    private func value(of entry: Entry) -> String {
        // Most of the variables a request reads are empty ones (a GET's body length and type).
        guard entry.valueLength > 0 else { return "" }
        return storage.withUnsafeBufferPointer { bytes in
            let valueStart = Int(entry.start) + Int(entry.nameLength)
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueStart + Int(entry.valueLength)]), as: UTF8.self)
        }
    }

    /// Every variable, in the order received.
    public func forEach(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) {
        storage.withUnsafeBufferPointer { bytes in
            for entry in entries {
                let start = Int(entry.start)
                let valueStart = start + Int(entry.nameLength)
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
