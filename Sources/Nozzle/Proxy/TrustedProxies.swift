/// Which peers may set `X-Forwarded-For`, for ``Request/ip``. Off by default: only `REMOTE_ADDR` counts.
///
/// ```swift
/// app.trustedProxies = TrustedProxies(["127.0.0.1", "10.0.0.0/8", "::1"])
/// ```
public struct TrustedProxies: Sendable {
    let ranges: [AddressRange]

    /// Trust the given addresses and CIDR ranges; an entry that does not parse is left out.
    public init(_ entries: [String]) { ranges = entries.compactMap(AddressRange.init) }

    /// Trust loopback peers: a proxy on the same machine.
    public static let loopback = TrustedProxies(["127.0.0.0/8", "::1"])

    func trusts(_ address: String) -> Bool { ranges.contains { $0.contains(address) } }
}

/// An IPv4 or IPv6 address, or a CIDR range of them.
package struct AddressRange: Sendable {
    let network: [UInt8]
    let prefix: Int

    package init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let bytes = AddressRange.parse(String(first)) else { return nil }
        let bits = bytes.count * 8
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...bits).contains(prefix) else { return nil }
            self.prefix = prefix
        } else {
            self.prefix = bits
        }
        network = bytes
    }

    package func contains(_ address: String) -> Bool {
        guard var bytes = AddressRange.parse(address) else { return false }
        // An IPv4-mapped IPv6 peer (::ffff:127.0.0.1) is the IPv4 address.
        if bytes.count == 16, network.count == 4, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == network.count else { return false }
        var remaining = prefix
        for index in 0..<bytes.count where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if bytes[index] & mask != network[index] & mask { return false }
            remaining -= 8
        }
        return true
    }

    /// The address's bytes: 4 for IPv4, 16 for IPv6.
    static func parse(_ text: String) -> [UInt8]? {
        if !text.contains(":") {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            let bytes = parts.compactMap { UInt8($0) }
            return bytes.count == 4 ? bytes : nil
        }
        var text = Substring(text)
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        var tail: [UInt8] = []
        // A trailing dotted IPv4 part, as in ::ffff:1.2.3.4.
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = parse(String(text[text.index(after: lastColon)...])) else { return nil }
            tail = v4
            text = text[...lastColon]
            if text.hasSuffix("::") == false { text = text.dropLast() }
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            guard !part.isEmpty else { return [] }
            var out: [UInt8] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard let value = UInt16(group, radix: 16), group.count <= 4 else { return nil }
                out += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var bytes = head
        if halves.count == 2 {
            guard let rest = groups(halves[1]) else { return nil }
            let fill = 16 - head.count - rest.count - tail.count
            guard fill >= 0 else { return nil }
            bytes += [UInt8](repeating: 0, count: fill) + rest
        }
        bytes += tail
        return bytes.count == 16 ? bytes : nil
    }
}

extension String {
    fileprivate func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
extension Substring {
    fileprivate func components(separatedBy separator: String) -> [String] { String(self).components(separatedBy: separator) }
}
