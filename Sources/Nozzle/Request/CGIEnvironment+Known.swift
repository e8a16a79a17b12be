extension CGIEnvironment {
    /// The variables that requests read whatever their route: the request line's parts, the body's
    /// length and type, the request id, and the headers that decide a body's reading and a
    /// conditional GET. ``CGIEnvironment`` notes where each is as it is built.
    enum Known: Int, CaseIterable {
        case requestMethod, queryString, requestURI, scriptName, pathInfo, contentLength, contentType, https
        case requestID, xRequestID, transferEncoding, contentEncoding, ifNoneMatch, ifModifiedSince

        /// The variable's name. Inlined: with the case known where it is called, the name is a
        /// constant.
        @inline(__always)
        var name: StaticString {
            switch self {
            case .requestMethod: "REQUEST_METHOD"
            case .queryString: "QUERY_STRING"
            case .requestURI: "REQUEST_URI"
            case .scriptName: "SCRIPT_NAME"
            case .pathInfo: "PATH_INFO"
            case .contentLength: "CONTENT_LENGTH"
            case .contentType: "CONTENT_TYPE"
            case .https: "HTTPS"
            case .requestID: "REQUEST_ID"
            case .xRequestID: "HTTP_X_REQUEST_ID"
            case .transferEncoding: "HTTP_TRANSFER_ENCODING"
            case .contentEncoding: "HTTP_CONTENT_ENCODING"
            case .ifNoneMatch: "HTTP_IF_NONE_MATCH"
            case .ifModifiedSince: "HTTP_IF_MODIFIED_SINCE"
            }
        }

        /// The known variable called `name`, if there is one: the one or two of its length, each
        /// compared as a few machine words, so that a name costs about the same whatever it is.
        init?(named name: UnsafeBufferPointer<UInt8>) {
            guard let bytes = name.baseAddress.map(UnsafeRawPointer.init) else { return nil }
            @inline(__always) func either(_ first: Known, _ second: Known? = nil) -> Known? {
                if first.isNamed(bytes) { return first }
                if let second, second.isNamed(bytes) { return second }
                return nil
            }
            let found: Known?
            switch name.count {
            case 5: found = either(.https)
            case 9: found = either(.pathInfo)
            case 10: found = either(.requestID)
            case 11: found = either(.requestURI, .scriptName)
            case 12: found = either(.queryString, .contentType)
            case 14: found = either(.requestMethod, .contentLength)
            case 17: found = either(.xRequestID)
            case 18: found = either(.ifNoneMatch)
            case 21: found = either(.contentEncoding)
            case 22: found = either(.transferEncoding, .ifModifiedSince)
            default: found = nil
            }
            guard let found else { return nil }
            self = found
        }

        /// Whether the bytes at `name`, as many as this variable's name has, are its name. Every
        /// name is 5 to 22 bytes long: two 4-byte words from either end cover one under 8 bytes,
        /// two 8-byte words one of up to 16, and a third from byte 8 one of up to 24.
        @inline(__always)
        private func isNamed(_ name: UnsafeRawPointer) -> Bool {
            let own = UnsafeRawPointer(self.name.utf8Start)
            let count = self.name.utf8CodeUnitCount
            func same<Word: FixedWidthInteger>(_: Word.Type, at offset: Int) -> Bool {
                name.loadUnaligned(fromByteOffset: offset, as: Word.self) == own.loadUnaligned(fromByteOffset: offset, as: Word.self)
            }
            if count < 8 { return same(UInt32.self, at: 0) && same(UInt32.self, at: count - 4) }
            return same(UInt64.self, at: 0) && same(UInt64.self, at: count - 8) && (count <= 16 || same(UInt64.self, at: 8))
        }

        /// Where each known variable is among an environment's, by its raw value: the first 255
        /// variables' indexes fit.
        typealias Slots = SIMD16<UInt8>

        /// A slot's value for a variable not among the first 255.
        static var none: UInt8 { .max }

        /// Notes the variable `name`, at `index` among the environment's, in `slots` when it is a known
        /// one, the first of its name, and among the first 255.
        static func note(_ name: UnsafeBufferPointer<UInt8>, at index: Int, in slots: inout Slots) {
            guard index < Int(none), let variable = Known(named: name), slots[variable.rawValue] == none else { return }
            slots[variable.rawValue] = UInt8(index)
        }
    }
}
