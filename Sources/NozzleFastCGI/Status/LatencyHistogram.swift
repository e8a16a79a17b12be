/// Request durations in log-scale buckets: percentiles within about 10%, in constant memory.
struct LatencyHistogram {
    /// Bucket i holds durations up to `base * growth^i` seconds: 10 µs to about 2 minutes.
    static let base = 0.000_01
    static let growth = 1.2
    static let bucketCount = 90

    private(set) var counts = [Int](repeating: 0, count: LatencyHistogram.bucketCount)
    private(set) var total = 0

    /// The bucket a duration falls in.
    static func bucket(for seconds: Double) -> Int {
        guard seconds > base else { return 0 }
        return min(Int((log(seconds / base) / log(growth)).rounded(.up)), bucketCount - 1)
    }

    mutating func record(_ seconds: Double) { add(bucket: LatencyHistogram.bucket(for: seconds), count: 1) }

    mutating func add(bucket: Int, count: Int) {
        counts[bucket] += count
        total += count
    }

    /// The duration below which `fraction` of the requests fell, in seconds; 0 with no requests.
    func percentile(_ fraction: Double) -> Double {
        guard total > 0 else { return 0 }
        let wanted = max(1, Int((Double(total) * fraction).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= wanted { return LatencyHistogram.base * pow(LatencyHistogram.growth, Double(index)) }
        }
        return LatencyHistogram.base * pow(LatencyHistogram.growth, Double(LatencyHistogram.bucketCount - 1))
    }
}

#if canImport(Glibc)
import Glibc
#endif
