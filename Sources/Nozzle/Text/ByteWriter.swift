/// Bytes written one piece after another into room made for them ahead: each piece is one copy,
/// where each append to an array checks its capacity and that it is not shared. The response's
/// header block is written so, on the stack, then copied once into the array that goes out.
struct ByteWriter: ~Copyable {
    private let room: UnsafeMutableBufferPointer<UInt8>
    /// How many bytes are written.
    private(set) var count = 0

    /// A writer into `room`; more than `room` holds stops the process (the caller measured it).
    init(into room: UnsafeMutableBufferPointer<UInt8>) { self.room = room }

    /// The bytes written so far.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: room[..<count]) }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count <= room.count - count, "more bytes than the room made for them")
        guard let source = bytes.baseAddress, let target = room.baseAddress else { return }
        (target + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func write(_ byte: UInt8) {
        precondition(count < room.count, "more bytes than the room made for them")
        room[count] = byte
        count += 1
    }

    /// A literal's bytes, copied as a block.
    mutating func write(_ literal: StaticString) {
        write(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// A string's UTF-8 bytes.
    mutating func write(_ text: String) {
        HTTPText.withBytes(of: text) { write($0) }
    }

    /// `value` in decimal, `-` first when it is negative: at most 20 bytes.
    mutating func write(decimal value: Int) {
        Digits.withDigits(value) { write($0) }
    }
}
