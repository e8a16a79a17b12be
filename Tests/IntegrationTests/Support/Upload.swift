import Foundation

/// Request bodies written to files, for curl to send.
enum Upload {
    /// A file of `size` bytes of `x` at `url`, written a megabyte at a time.
    static func file(size: Int, at url: URL) throws -> URL {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        let chunk = Data(repeating: UInt8(ascii: "x"), count: min(size, 1 << 20))
        var written = 0
        while written < size {
            let piece = chunk.prefix(size - written)
            handle.write(piece)
            written += piece.count
        }
        try handle.close()
        return url
    }
}
