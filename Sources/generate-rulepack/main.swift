import Foundation
import MailAuditRules

// Prints the built-in pack, parsed from the YAML of Rules/ this tool was built with, as the Swift
// source of CompiledRulePack.swift (scripts/generate-rulepack.sh writes it there).
do {
    print(CompiledRulePackSource.render(try RuleSet.embeddedYAML()), terminator: "")
} catch {
    FileHandle.standardError.write(Data("generate-rulepack: \(error.path): \(error.message)\n".utf8))
    exit(1)
}
