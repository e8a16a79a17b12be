/// Request durations in log-scale buckets: percentiles within about 10%, in constant memory.
struct LatencyHistogram {
    /// Bucket i holds durations up to `base * growth^i` seconds: 10 µs to about 2 minutes.
    static let base = 0.000_01
    static let growth = 1.2
    static let bucketCount = 90

    private(set) var counts = [Int](repeating: 0, count: LatencyHistogram.bucketCount)
    private(set) var total = 0

    mutating func record(_ seconds: Double) {
        var index = 0
        if seconds > LatencyHistogram.base {
            index = Int((log(seconds / LatencyHistogram.base) / log(LatencyHistogram.growth)).rounded(.up))
        }
        counts[min(index, LatencyHistogram.bucketCount - 1)] += 1
        total += 1
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
