import MailAuditCore

/// JUnit XML: one test suite, one test case per file and rule (a failure lists that rule's
/// findings in the file), one passing case per clean file, an error case per unreadable input.
public struct JUnitReporter: Reporter {
    public init() {}

    public func document(_ report: Report) -> String {
        var cases: [String] = []
        var failures = 0, errors = 0
        let byFile = Dictionary(grouping: report.activeFindings, by: \.span.path)
        for file in report.result.files.map(\.path).sorted() {
            guard let findings = byFile[file], !findings.isEmpty else {
                cases.append("    <testcase classname=\"\(xml(file))\" name=\"mailaudit\" time=\"0\"/>")
                continue
            }
            for (rule, group) in Dictionary(grouping: findings, by: \.ruleId).sorted(by: { $0.key < $1.key }) {
                let first = group[0]
                failures += 1
                let body = group.map { "\($0.span.path):\($0.span.line):\($0.span.column): \($0.severity.rawValue): \($0.message)" }.joined(separator: "\n")
                cases.append("""
                    <testcase classname="\(xml(file))" name="\(xml("\(rule) \(first.ruleName)"))" time="0">
                      <failure type="\(first.severity.rawValue)" message="\(xml("\(group.count) finding\(group.count == 1 ? "" : "s"): \(first.message)"))">\(xml(body))</failure>
                    </testcase>
                """)
            }
        }
        let rule = report.rules.parseError
        for p in report.result.problems {
            errors += 1
            let position = p.span.map { ":\($0.line):\($0.column)" } ?? ""
            cases.append("""
                <testcase classname="\(xml(p.path))" name="\(xml("\(rule.id) \(rule.name)"))" time="0">
                  <error type="\(xml(rule.name))" message="\(xml(p.message))">\(xml("\(p.path)\(position): \(p.message)"))</error>
                </testcase>
            """)
        }
        let tests = cases.count
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="mailaudit" tests="\(tests)" failures="\(failures)" errors="\(errors)">
          <testsuite name="mailaudit" tests="\(tests)" failures="\(failures)" errors="\(errors)" skipped="0">
        \(cases.joined(separator: "\n"))
          </testsuite>
        </testsuites>

        """
    }
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry.
func xml(_ s: String) -> String {
    var out = ""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
        default:
            if scalar.value >= 0x20 && !(0xFFFE...0xFFFF).contains(scalar.value) { out.unicodeScalars.append(scalar) }
        }
    }
    return out
}
