extension HTTPDate {
    /// Seconds since 1970 of an HTTP date in any of its three forms, `Sun, 06 Nov 1994 08:49:37 GMT`,
    /// `Sunday, 06-Nov-94 08:49:37 GMT` and `Sun Nov  6 08:49:37 1994`; nil for anything else.
    static func parse(_ text: String) -> Int? {
        guard text.utf8.count <= 64 else { return nil }
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        var numbers: [Substring] = []
        var month: Int?, clock: (Int, Int, Int)?
        for token in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }) {
            if token.contains(":") {
                let parts = token.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 3 else { return nil }
                clock = (parts[0], parts[1], parts[2])
            } else if Int(token) != nil {
                numbers.append(token)
            } else if token.count == 3, let index = months.firstIndex(of: token.lowercased()) {
                month = index + 1
            }
        }
        // In all three forms the day comes before the year; a two-digit year is 1970 to 2069.
        guard numbers.count == 2, let day = Int(numbers[0]), var year = Int(numbers[1]) else { return nil }
        if numbers[1].count == 2 { year += year < 70 ? 2000 : 1900 }
        guard let month, let (hour, minute, second) = clock,
            (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        // Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + hour * 3600 + minute * 60 + second
    }
}
