import Foundation
import MailAuditRules
import Testing

/// `until=` dates compare against today's UTC day, written by hand from the C library's calendar.
@Suite struct TodayTests {
    @Test(arguments: [
        (0.0, "1970-01-01"), (1_772_668_800, "2026-03-05"), (1_796_083_199, "2026-11-30"), (1_796_083_200, "2026-12-01"),
        (951_782_400, "2000-02-29"), (-86_400, "1969-12-31"),
    ])
    func isoDateIsTheUTCDay(_ seconds: Double, _ expected: String) {
        #expect(Linter.isoDate(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func isoDateAgreesWithFoundation() {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        for seconds in stride(from: 0.0, to: 4_000_000_000, by: 7_777_777.7) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Linter.isoDate(date) == f.string(from: date))
        }
    }
}
