/// How soon to replace a worker that exited unexpectedly.
///
/// The first crashes are replaced at once. When more than `threshold` crash within `window`
/// seconds, the emergency brake engages: it says so loudly, and restarts are spaced out, doubling
/// up to `maximumDelay`, as PHP-FPM's `emergency_restart_threshold` does. It never gives up.
struct RestartPolicy {
    var threshold = 10
    var window = 10.0
    var firstDelay = 0.5
    var maximumDelay = 5.0
    private(set) var crashes: [Double] = []
    private(set) var braking = false
    private var delay = 0.0

    /// Records a crash at `now`; returns the delay before the replacement starts, and whether the
    /// brake has just engaged.
    mutating func crashed(at now: Double) -> (delay: Double, brakeEngaged: Bool) {
        crashes.append(now)
        crashes.removeAll { now - $0 > window }
        guard crashes.count > threshold else {
            braking = false
            delay = 0
            return (0, false)
        }
        let engaged = !braking
        braking = true
        delay = delay == 0 ? firstDelay : min(maximumDelay, delay * 2)
        return (delay, engaged)
    }
}
