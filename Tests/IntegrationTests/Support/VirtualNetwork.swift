import Foundation

/// A host that a test makes: a network namespace, with its own loopback and one interface on the
/// test's ``VirtualNetwork``. Commands run in it through `ip netns exec`.
struct NetworkNamespace: Sendable {
    let name: String
    /// Its address on the virtual network.
    let address: String
    /// The switch's end of its link: down, the host is cut off as if its cable were pulled.
    let switchPort: String

    /// What to put before a command to run it on this host.
    var prefix: [String] { ["ip", "netns", "exec", name] }
}

/// Several hosts on one machine, joined by a switch: a namespace holding a bridge, and a veth pair
/// from each host to it. Nothing leaves the machine: the addresses are in 10.0.0.0/8 on links that
/// reach only each other. Everything is removed when the network is released.
final class VirtualNetwork: @unchecked Sendable {
    let id: String
    /// The /24 the hosts live in, such as `10.213.7`.
    let subnet: String
    let switchName: String
    private(set) var hosts: [NetworkNamespace] = []

    /// Whether this machine lets a test make namespaces (root, and `ip netns` allowed); nil when it
    /// does, else why not.
    static let unavailableReason: String? = {
        guard getuid() == 0 else { return "network namespaces need root; this test runs as uid \(getuid())" }
        let probe = "nozzle-probe-\(getpid())"
        guard let added = try? run(["ip", "netns", "add", probe]) else { return "iproute2 (ip) is not installed" }
        guard added.status == 0 else { return "ip netns add is not allowed here: \(added.stderr.trimmingCharacters(in: .whitespacesAndNewlines))" }
        _ = try? run(["ip", "netns", "del", probe])
        return nil
    }()

    init() throws {
        id = String(UUID().uuidString.prefix(4).lowercased())
        subnet = "10.\(Int.random(in: 100...250)).\(Int.random(in: 0...255))"
        switchName = "nozzle-\(id)-switch"
        try Self.must(["ip", "netns", "add", switchName])
        try Self.must(["ip", "-n", switchName, "link", "add", "br0", "type", "bridge"])
        try Self.must(["ip", "-n", switchName, "link", "set", "br0", "up"])
    }

    deinit {
        for host in hosts { _ = try? Self.run(["ip", "netns", "del", host.name]) }
        _ = try? Self.run(["ip", "netns", "del", switchName])
    }

    /// A new host on the network, with the next address (`.1`, `.2`, …).
    func addHost(_ role: String) throws -> NetworkNamespace {
        let number = hosts.count + 1
        let host = NetworkNamespace(name: "nozzle-\(id)-\(role)", address: "\(subnet).\(number)", switchPort: "nz\(id)s\(number)")
        let inside = "nz\(id)h\(number)"
        try Self.must(["ip", "netns", "add", host.name])
        hosts.append(host)
        try Self.must(["ip", "link", "add", inside, "netns", host.name, "type", "veth", "peer", "name", host.switchPort, "netns", switchName])
        try Self.must(["ip", "-n", host.name, "addr", "add", "\(host.address)/24", "dev", inside])
        try Self.must(["ip", "-n", host.name, "link", "set", inside, "up"])
        try Self.must(["ip", "-n", host.name, "link", "set", "lo", "up"])
        try Self.must(["ip", "-n", switchName, "link", "set", host.switchPort, "master", "br0", "up"])
        return host
    }

    /// Writes every host's hardware address into every other host's neighbour table, permanently, so
    /// that no connection waits on ARP. In this machine's sandboxed network stack a connection made
    /// while ARP for its peer is under way fails now and then with "No route to host"; the tests are
    /// about the apps, not about ARP. Call it once every host is added.
    func fixNeighbours() throws {
        var hardware: [String: String] = [:]
        for (index, host) in hosts.enumerated() {
            let read = try run(on: host, ["cat", "/sys/class/net/nz\(id)h\(index + 1)/address"])
            hardware[host.name] = read.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for (index, host) in hosts.enumerated() {
            for other in hosts where other.name != host.name {
                try Self.must(["ip", "-n", host.name, "neigh", "replace", other.address, "lladdr", hardware[other.name] ?? "", "dev", "nz\(id)h\(index + 1)", "nud", "permanent"])
            }
        }
    }

    /// Pulls the host's cable: packets to and from it are dropped, and no peer is told.
    func cut(_ host: NetworkNamespace) throws { try Self.must(["ip", "-n", switchName, "link", "set", host.switchPort, "down"]) }

    /// Plugs it back in.
    func reconnect(_ host: NetworkNamespace) throws { try Self.must(["ip", "-n", switchName, "link", "set", host.switchPort, "up"]) }

    /// Runs a command on `host` to its end.
    func run(on host: NetworkNamespace, _ command: [String], timeout: Double = 30) throws -> (status: Int32?, stdout: String, stderr: String) {
        try Self.run(host.prefix + command, timeout: timeout)
    }

    private static func run(_ command: [String], timeout: Double = 30) throws -> (status: Int32?, stdout: String, stderr: String) {
        try RunningProcess.run("/usr/bin/env", command, in: Paths.temporaryDirectory(), timeout: timeout)
    }

    private static func must(_ command: [String]) throws {
        let result = try run(command)
        guard result.status == 0 else { throw SetupError(what: "\(command.joined(separator: " ")) failed: \(result.stderr)") }
    }
}
