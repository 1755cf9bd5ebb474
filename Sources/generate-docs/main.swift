import Foundation
import MailAuditReport

// Writes the format tables of README.md and Examples/README.md from the formats' descriptions,
// between their markers (scripts/generate-docs.sh runs it from the repository's root).
let documents: [(path: String, block: FormatDocumentation.Block)] = [
    ("README.md", FormatDocumentation.readmeTable()),
    ("Examples/README.md", FormatDocumentation.examplesTable(examples: "Examples")),
]
for (path, block) in documents {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8), let updated = FormatDocumentation.splice(block, into: text) else {
        FileHandle.standardError.write(Data("generate-docs: \(path) lacks the markers of the '\(block.name)' table\n".utf8))
        exit(1)
    }
    do { try updated.write(toFile: path, atomically: true, encoding: .utf8) } catch {
        FileHandle.standardError.write(Data("generate-docs: cannot write \(path): \(error.localizedDescription)\n".utf8))
        exit(1)
    }
}
