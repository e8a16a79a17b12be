#if canImport(Glibc)
import Glibc
#endif

/// Socket ownership and dropping root after binding.
enum Privileges {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func userID(_ name: String) throws(Failure) -> (uid: uid_t, gid: gid_t) {
        if let number = UInt32(name) { return (number, getpwuid(number)?.pointee.pw_gid ?? number) }
        guard let entry = getpwnam(name) else { throw Failure(description: "no such user '\(name)'") }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    static func groupID(_ name: String) throws(Failure) -> gid_t {
        if let number = UInt32(name) { return number }
        guard let entry = getgrnam(name) else { throw Failure(description: "no such group '\(name)'") }
        return entry.pointee.gr_gid
    }

    /// `--socket-owner USER[:GROUP]` on a unix socket this process created.
    static func chown(socket path: String, owner: String) throws(Failure) {
        let parts = owner.split(separator: ":", maxSplits: 1).map(String.init)
        let user = try userID(parts[0])
        let group = parts.count > 1 ? try groupID(parts[1]) : user.gid
        guard Glibc.chown(path, user.uid, group) == 0 else {
            throw Failure(description: "cannot give \(path) to \(owner): \(System.describe(errno))")
        }
    }

    /// `--user` and `--group`: from root to an unprivileged user, after the socket is open.
    static func drop(user: String?, group: String?) throws(Failure) {
        guard user != nil || group != nil else { return }
        guard geteuid() == 0 else { throw Failure(description: "--user and --group need the app to start as root") }
        let account = try user.map { name throws(Failure) in try userID(name) }
        let gid = try group.map { name throws(Failure) in try groupID(name) } ?? account?.gid ?? getgid()
        guard setgroups(0, nil) == 0, setgid(gid) == 0 else {
            throw Failure(description: "cannot switch to group \(gid): \(System.describe(errno))")
        }
        if let account, setuid(account.uid) != 0 {
            throw Failure(description: "cannot switch to user \(account.uid): \(System.describe(errno))")
        }
    }
}
