import MailAuditRules

extension Baseline {
    /// The baseline file `mailaudit baseline` writes; `Baseline.load` reads it (and the files
    /// earlier versions wrote: the same keys, order and layout).
    public func rendered() -> String {
        JSONValue.object([
            "tool": .string("mailaudit"), "baselineVersion": .int(1),
            "findings": .array(entries.map { e in
                .object(["fingerprint": .string(e.fingerprint), "ruleId": .string(e.ruleId), "path": .string(e.path), "message": .string(e.message)])
            }),
        ]).rendered()
    }
}
