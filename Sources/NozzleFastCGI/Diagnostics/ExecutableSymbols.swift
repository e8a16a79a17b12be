#if canImport(Glibc)
import Glibc
#endif

/// The functions of this process's executable, read from its ELF symbol table, to name the frames
/// of a stack. Swift executables do not export their functions to the dynamic symbol table, so
/// `backtrace_symbols` names only frames in shared libraries; the rest are named from here.
///
/// Read once, when the first stack is named. A stripped executable has no symbol table: its frames
/// stay addresses.
struct ExecutableSymbols: Sendable {
    struct Symbol: Sendable {
        var start: UInt
        var end: UInt
        var name: String
    }

    /// Where the executable is mapped, and the address its symbols' values are relative to.
    let mapped: [ClosedRange<UInt>]
    let base: UInt
    /// Function symbols, by start address.
    let symbols: [Symbol]

    /// This process's executable's symbols; nil when they cannot be read.
    static let current: ExecutableSymbols? = load(path: "/proc/self/exe", maps: "/proc/self/maps")

    /// The function containing `address`, and how far into it the address is.
    func function(at address: UInt) -> (name: String, offset: UInt)? {
        guard mapped.contains(where: { $0.contains(address) }), address >= base else { return nil }
        let value = address - base
        // The last symbol starting at or before the value.
        var low = 0
        var high = symbols.count
        while low < high {
            let middle = (low + high) / 2
            if symbols[middle].start <= value { low = middle + 1 } else { high = middle }
        }
        guard low > 0, value < symbols[low - 1].end else { return nil }
        return (symbols[low - 1].name, value - symbols[low - 1].start)
    }

    static func load(path: String, maps: String) -> ExecutableSymbols? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        func read(_ offset: UInt64, _ count: Int) -> [UInt8]? {
            guard count >= 0, count <= 1 << 30 else { return nil }
            var bytes = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
                guard got > 0 else { return nil }
                done += got
            }
            return bytes
        }
        // The ELF header: 64-bit, little-endian.
        guard let header = read(0, 64), header[0] == 0x7f, header[1] == 0x45, header[2] == 0x4c, header[3] == 0x46,
            header[4] == 2, header[5] == 1
        else { return nil }
        let isPositionIndependent = header.le(16, 2) == 3
        let sectionsAt = header.le(0x28, 8)
        let sectionSize = Int(header.le(0x3a, 2))
        let sectionCount = Int(header.le(0x3c, 2))
        guard sectionSize >= 64, sectionCount > 0, let sections = read(sectionsAt, sectionSize * sectionCount) else { return nil }
        func section(_ index: Int) -> (type: UInt64, offset: UInt64, size: UInt64, link: Int) {
            let at = index * sectionSize
            return (sections.le(at + 4, 4), sections.le(at + 24, 8), sections.le(at + 32, 8), Int(sections.le(at + 40, 4)))
        }
        // SHT_SYMTAB, and the string table it links to.
        guard let table = (0..<sectionCount).lazy.map(section).first(where: { $0.type == 2 }), table.link < sectionCount,
            case let strings = section(table.link), let symbolBytes = read(table.offset, Int(table.size)),
            let names = read(strings.offset, Int(strings.size))
        else { return nil }
        var symbols: [Symbol] = []
        var at = 0
        while at + 24 <= symbolBytes.count {
            defer { at += 24 }
            // STT_FUNC, defined, with a size.
            guard symbolBytes[at + 4] & 0xf == 2, symbolBytes.le(at + 6, 2) != 0 else { continue }
            let value = UInt(symbolBytes.le(at + 8, 8))
            let size = UInt(symbolBytes.le(at + 16, 8))
            let nameAt = Int(symbolBytes.le(at, 4))
            guard size > 0, nameAt < names.count else { continue }
            let end = names[nameAt...].firstIndex(of: 0) ?? names.count
            symbols.append(Symbol(start: value, end: value + size, name: String(decoding: names[nameAt..<end], as: UTF8.self)))
        }
        symbols.sort { $0.start < $1.start }
        // Where the executable is mapped: /proc/self/maps lines naming it.
        guard let executable = realPath(path), let text = readText(maps) else { return nil }
        var mapped: [ClosedRange<UInt>] = []
        var base: UInt?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5...].joined(separator: " ").hasPrefix(executable) else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start,
                let offset = UInt(fields[2], radix: 16)
            else { continue }
            mapped.append(start...(end - 1))
            if offset == 0 { base = min(base ?? start, start) }
        }
        guard !mapped.isEmpty else { return nil }
        return ExecutableSymbols(mapped: mapped, base: isPositionIndependent ? base ?? 0 : 0, symbols: symbols)
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = Glibc.read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension [UInt8] {
    /// The little-endian number of `count` bytes at `offset`.
    fileprivate func le(_ offset: Int, _ count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<count).reversed() { value = value << 8 | UInt64(self[offset + index]) }
        return value
    }
}
