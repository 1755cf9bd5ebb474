import MailAuditCore

extension MailSetup {
    /// What the audit report's inventory needs of a setup, and no more: its endpoints (without the
    /// settings that lost, a bounded banner) and the files it included. A run that keeps thousands of
    /// setups for a report keeps a bounded amount per endpoint.
    public var forInventory: MailSetup {
        var kept = MailSetup(path: path, format: format)
        kept.includedFiles = includedFiles
        kept.modelledProgram = modelledProgram
        kept.endpoints = endpoints.map { e in
            var e = e
            e.related = [:]
            e.modelledVersions = [:]
            e.inherited = []
            if let banner = e.banner, banner.count > InventoryRow.cellLimit { e.banner = String(banner.prefix(InventoryRow.cellLimit)) }
            if let auth = e.auth, auth.count > 20 { e.auth = Array(auth.prefix(20)) }
            return e
        }
        return kept
    }
}
