import MailAuditCore

extension ProgramVersions {
    /// How a message names the release `format` models (its description's `program`), as a finding
    /// that rests on a default names it: `msmtp 1.8`; a program `assume:` can pin is named as pinned.
    /// A parser that tells the release from the file itself (Dovecot 2.3 or 2.4) or reads several
    /// programs' settings (env files) names it in the setup instead.
    func modelledProgram(format: FormatID) -> String? {
        switch FormatRegistry.builtIn.description(of: format)?.program {
        case .fixed(let name)?: return name
        case .pinnable(let pin)?: return name(pin.key)
        case nil: return nil
        }
    }
}
