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

    func trusts(_ address: String) -> Bool {
        guard let bytes = AddressRange.parse(address) else { return false }
        return ranges.contains { $0.contains(bytes: bytes) }
    }
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
        guard let bytes = AddressRange.parse(address) else { return false }
        return contains(bytes: bytes)
    }

    /// Whether the address of these 4 or 16 bytes is in the range.
    func contains(bytes: [UInt8]) -> Bool {
        var bytes = bytes
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

    /// The address's bytes: 4 for IPv4, 16 for IPv6; nil for anything else.
    ///
    /// Parsed in one pass over the bytes; text longer than any address (with a zone) is refused
    /// before it is read, so a hostile `X-Forwarded-For` entry costs nothing.
    static func parse(_ text: some StringProtocol) -> [UInt8]? {
        var text = String(text)
        return text.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        var end = bytes.count
        // A zone index, as in fe80::1%eth0.
        if let zone = bytes.firstIndex(of: UInt8(ascii: "%")) { end = zone }
        let address = UnsafeBufferPointer(rebasing: bytes[0..<end])
        return address.contains(UInt8(ascii: ":")) ? parseIPv6(address) : parseIPv4(address)
    }

    /// `a.b.c.d`, each a decimal from 0 to 255.
    static func parseIPv4(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var result: [UInt8] = []
        var value = 0
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, result.count < 3 else { return nil }
                result.append(UInt8(value))
                value = 0
                digits = 0
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, value <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, result.count == 3 else { return nil }
        result.append(UInt8(value))
        return result
    }

    /// Groups of up to four hex digits, at most one `::`, and optionally a dotted IPv4 tail.
    static func parseIPv6(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var head: [UInt8] = []
        var tail: [UInt8] = []
        var sawDoubleColon = false
        var index = 0
        if bytes.count >= 2, bytes[0] == UInt8(ascii: ":"), bytes[1] == UInt8(ascii: ":") {
            sawDoubleColon = true
            index = 2
        } else if bytes.first == UInt8(ascii: ":") {
            return nil
        }
        while index < bytes.count {
            // One group, or a dotted IPv4 address that ends the text.
            var groupEnd = index
            var hasDot = false
            while groupEnd < bytes.count, bytes[groupEnd] != UInt8(ascii: ":") {
                if bytes[groupEnd] == UInt8(ascii: ".") { hasDot = true }
                groupEnd += 1
            }
            let group = UnsafeBufferPointer(rebasing: bytes[index..<groupEnd])
            if hasDot {
                guard groupEnd == bytes.count, let v4 = parseIPv4(group) else { return nil }
                if sawDoubleColon { tail += v4 } else { head += v4 }
                index = groupEnd
                break
            }
            guard !group.isEmpty, group.count <= 4 else { return nil }
            var value = 0
            for byte in group {
                guard let digit = PercentDecoding.hexValue(byte) else { return nil }
                value = value << 4 | Int(digit)
            }
            if sawDoubleColon { tail += [UInt8(value >> 8), UInt8(value & 0xFF)] } else { head += [UInt8(value >> 8), UInt8(value & 0xFF)] }
            index = groupEnd
            guard index < bytes.count else { break }
            // At a ':'; a second one right after is the '::'.
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                guard !sawDoubleColon else { return nil }
                sawDoubleColon = true
                index += 1
            } else if index == bytes.count {
                return nil
            }
            guard head.count + tail.count <= 16 else { return nil }
        }
        if sawDoubleColon {
            let fill = 16 - head.count - tail.count
            guard fill >= 2 else { return nil }
            return head + [UInt8](repeating: 0, count: fill) + tail
        }
        return head.count == 16 ? head : nil
    }
}
