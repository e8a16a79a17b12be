import Nozzle
import Testing

struct AddressRangeTests {
    @Test(arguments: [
        ("127.0.0.0/8", "127.1.2.3", true), ("127.0.0.0/8", "128.0.0.1", false),
        ("10.0.0.0/8", "10.255.255.255", true), ("192.168.1.0/24", "192.168.2.1", false),
        ("192.168.1.7", "192.168.1.7", true), ("192.168.1.7", "192.168.1.8", false),
        ("0.0.0.0/0", "8.8.8.8", true), ("10.0.0.0/9", "10.127.0.1", true), ("10.0.0.0/9", "10.128.0.1", false),
        ("::1", "::1", true), ("::1", "::2", false), ("fd00::/8", "fd12:3456::1", true), ("fd00::/8", "fe80::1", false),
        ("2001:db8::/32", "2001:db8:ffff::1", true), ("2001:db8::/33", "2001:db8:8000::1", false),
        ("127.0.0.1", "::ffff:127.0.0.1", true), ("::1", "127.0.0.1", false),
        ("10.0.0.0/8", "not an address", false),
    ])
    func matches(range: String, address: String, contained: Bool) throws {
        #expect(try #require(AddressRange(range)).contains(address) == contained)
    }

    @Test(arguments: ["10.0.0.0/33", "::1/129", "1.2.3", "1.2.3.256", "fd00::/x", "", "1:2:3:4:5:6:7:8:9"])
    func rejectsMalformedRanges(text: String) {
        #expect(AddressRange(text) == nil)
    }
}
