import Crypto
import Foundation

/// The accounts that can log in. A real app would keep password hashes in its database; this
/// example has two fixed accounts so that it runs with nothing else.
enum Accounts {
    private static let passwords: [String: String] = [
        "ada": "lovelace",
        "grace": "hopper",
    ]

    /// Whether `password` is the account's. Both sides are hashed first, so the comparison takes the
    /// same time whatever the guess.
    static func check(name: String, password: String) -> Bool {
        let expected = SHA256.hash(data: Data((passwords[name] ?? "\u{0}no account").utf8))
        let given = SHA256.hash(data: Data(password.utf8))
        return expected == given && passwords[name] != nil
    }
}
