import Foundation
import MailAuditCore
import MailAuditRules
import Testing

/// `--shard`, `--files-from` and the reorder window behind `--format jsonl`, without the binary.
@Suite struct InputSelectionTests {
    @Test func fnv1aIsTheStandardOne() {
        // Published FNV-1a 64-bit test vectors: the split must not depend on Swift's seeded hashValue.
        #expect(FNV1a.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a.hash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func shardsCoverEveryPathExactlyOnce() throws {
        let paths = (0..<2000).map { "customers/\($0)/.msmtprc" }
        for n in [1, 2, 3, 7] {
            let shards = try (1...n).map { try Shard(index: $0, count: n) }
            for path in paths { #expect(shards.filter { $0.contains(path) }.count == 1, "\(path) in \(n) shards") }
            // And the split is not degenerate: every shard gets a fair part of 2,000 paths.
            for shard in shards { #expect(paths.filter(shard.contains).count > 2000 / n / 2) }
        }
    }

    @Test func shardArgumentsAreChecked() throws {
        #expect(try Shard(parsing: "2/3") == (try Shard(index: 2, count: 3)))
        for bad in ["0/3", "4/3", "1/0", "-1/2", "1/-2", "a/b", "3", "1/2/3", "", "/"] {
            #expect(throws: Shard.Invalid.self, "\(bad)") { try Shard(parsing: bad) }
        }
        #expect(throws: Shard.Invalid.self) { try Shard(index: 1, count: 0) }
    }

    @Test func pathListsByLineAndByNUL() {
        let lines = "a.conf\n\n  \r\nb dir/c.conf\r\nlast"
        #expect(PathList.paths(in: Array(lines.utf8), nulSeparated: false) == ["a.conf", "b dir/c.conf", "last"])
        let nul: [UInt8] = Array("with\nnewline".utf8) + [0, 0] + Array("two".utf8) + [0]
        #expect(PathList.paths(in: nul, nulSeparated: true) == ["with\nnewline", "two"])
        #expect(PathList.paths(in: [], nulSeparated: false).isEmpty)
    }

    @Test func orderedDeliveryKeepsInputOrderWithinItsWindow() {
        final class Tally: @unchecked Sendable {
            let lock = NSLock()
            var started = 0
            var delivered = 0
            var mostAhead = 0
        }
        let tally = Tally()
        let items = Array(0..<300)
        var seen: [Int] = []
        OrderedDelivery.run(items, window: 8, workers: 4, transform: { item in
            tally.lock.lock()
            tally.started += 1
            tally.mostAhead = max(tally.mostAhead, tally.started - tally.delivered)
            tally.lock.unlock()
            // Early items are slow: later ones finish first and must wait their turn.
            usleep(item % 10 == 0 ? 3000 : 100)
            return item * 2
        }, deliver: { result in
            seen.append(result)
            tally.lock.lock()
            tally.delivered += 1
            tally.lock.unlock()
        })
        #expect(seen == items.map { $0 * 2 })
        // Never more than the window's worth started ahead of what was delivered.
        #expect(tally.mostAhead <= 8 + 1)
        var none: [Int] = []
        OrderedDelivery.run([Int](), transform: { $0 }, deliver: { none.append($0) })
        #expect(none.isEmpty)
    }
}
