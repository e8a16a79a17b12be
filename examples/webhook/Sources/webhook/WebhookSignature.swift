import Crypto
import Foundation

/// The `X-Signature: sha256=<hex>` check: an HMAC-SHA256 of the raw body keyed by `WEBHOOK_SECRET`.
enum WebhookSignature {
    static let variable = "WEBHOOK_SECRET"

    /// The shared secret; nil when `WEBHOOK_SECRET` is unset or empty. Read once, at first use.
    static let secret: SymmetricKey? = {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return nil }
        return SymmetricKey(data: Data(text.utf8))
    }()

    /// Whether `header` is `sha256=` and the hex HMAC of `body`. The comparison is swift-crypto's
    /// `isValidAuthenticationCode`, which takes the same time however many bytes match.
    static func isValid(header: String?, body: [UInt8], secret: SymmetricKey) -> Bool {
        guard let header, header.hasPrefix("sha256="), let signature = bytes(hex: header.dropFirst("sha256=".count)),
              signature.count == SHA256.byteCount
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: body, using: secret)
    }

    /// The bytes of a hex string (either case); nil for odd lengths or other characters.
    static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
