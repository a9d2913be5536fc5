import Foundation

/// Conversions for the core's ISO 8601 calendar dates (`YYYY-MM-DD`).
///
/// The core deliberately returns dates as strings: a birth or expiry date is
/// a calendar day, not an instant, so it has no time zone until the caller
/// picks one.
public enum IsoDate {
    /// The proleptic Gregorian calendar in UTC, which the core's dates use.
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        return calendar
    }()

    static let utc = TimeZone(secondsFromGMT: 0) ?? TimeZone.current

    /// The year, month and day of `iso`, or nil unless it is a real
    /// `YYYY-MM-DD` date (so `2021-02-29` is nil).
    public static func components(_ iso: String) -> DateComponents? {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        let wanted = DateComponents(year: year, month: month, day: day)
        // Round-tripping rejects days the calendar would silently roll over.
        guard let date = calendar.date(from: wanted) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        return wanted
    }

    /// Midnight at the start of the day `iso` in `timeZone` (UTC by default).
    public static func date(_ iso: String, in timeZone: TimeZone? = nil) -> Date? {
        guard let wanted = components(iso) else { return nil }
        var calendar = Self.calendar
        calendar.timeZone = timeZone ?? utc
        return calendar.date(from: wanted)
    }
}
