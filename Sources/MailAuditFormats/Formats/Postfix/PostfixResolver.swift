import Foundation
import MailAuditCore

/// What a parameter is for one service: a master.cf `-o` beats main.cf, which beats Postfix's compiled-in
/// default (or the default `compatibility_level` picks), with `$name` expanded.
struct PostfixResolver {
    /// main.cf's assignments by name, in file order.
    let main: [String: [PostfixAssignment]]

    /// An effective parameter value: the winning setting, the ones it overrode, or Postfix's default.
    struct Setting: DecidingSetting {
        /// The expanded value; nil when it cannot be known (a template placeholder, a host-dependent default).
        var value: String?
        /// The winning setting; nil for the compiled-in default.
        var span: SourceSpan?
        var related: [SourceSpan] = []
        /// A main.cf value a master.cf service takes over, shared with every service that does not override it.
        var inherited = false
        var isExplicit: Bool { span != nil }
    }

    /// Postfix defaults (`postconf -d` of 3.7, the same in 3.11) of the parameters the model reads; 3.11's
    /// `smtp_tls_security_level`, which depends on `compatibility_level`, is in `compatibilityDecidingClientTLS`.
    static let defaults: [String: String] = [
        "compatibility_level": "0",
        "smtpd_tls_security_level": "", "smtpd_use_tls": "no", "smtpd_enforce_tls": "no", "smtpd_tls_wrappermode": "no",
        "smtpd_tls_auth_only": "no", "smtpd_sasl_auth_enable": "no", "smtpd_sasl_security_options": "noanonymous",
        "smtpd_tls_protocols": ">=TLSv1", "smtpd_tls_mandatory_protocols": ">=TLSv1",
        "smtpd_banner": "$myhostname ESMTP $mail_name", "disable_vrfy_command": "no", "mail_name": "Postfix",
        "smtpd_client_restrictions": "", "smtpd_helo_restrictions": "", "smtpd_sender_restrictions": "",
        "smtpd_recipient_restrictions": "", "smtpd_relay_restrictions": "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination",
        "smtp_tls_security_level": "", "smtp_use_tls": "no", "smtp_enforce_tls": "no", "smtp_tls_wrappermode": "no",
        "smtp_tls_protocols": ">=TLSv1", "smtp_tls_mandatory_protocols": ">=TLSv1", "smtp_tls_policy_maps": "",
        "smtp_sasl_auth_enable": "no", "smtp_sasl_password_maps": "", "relayhost": "", "inet_interfaces": "all",
    ]

    func setting(_ name: String, service: PostfixService?) -> Setting {
        let fromMain = main[name] ?? []
        let fromService = service?.overrides.filter { $0.name == name } ?? []
        let winner: PostfixAssignment
        var related: [SourceSpan]
        if let w = fromService.last {
            winner = w
            related = fromMain.suffix(Endpoint.relatedLimit).map(\.span) + fromService.dropLast().suffix(Endpoint.relatedLimit).map(\.span)
        } else if let w = fromMain.last {
            winner = w
            related = fromMain.dropLast().suffix(Endpoint.relatedLimit).map(\.span)
        } else {
            return Setting(value: Self.defaults[name].flatMap { expand($0, service: service, depth: 0) }, span: nil)
        }
        related.removeAll { $0 == winner.span }
        // Only the latest few: every service would otherwise copy a main.cf value repeated thousands of times.
        related = Array(related.suffix(Endpoint.relatedLimit))
        let value = winner.conditional ? nil : expand(winner.value, service: service, depth: 0)
        return Setting(value: value, span: winner.span, related: related, inherited: service != nil && fromService.isEmpty)
    }

    /// The raw (unexpanded) text of a parameter's winning value.
    func rawValue(_ name: String, service: PostfixService?) -> (text: String, conditional: Bool)? {
        if let w = service?.overrides.last(where: { $0.name == name }) { return (w.value, w.conditional) }
        if let w = main[name]?.last { return (w.value, w.conditional) }
        return nil
    }

    /// `$name`, `${name}`, `$(name)`, `${name?text}`, `${name:text}`, `${name?{a}:{b}}`; nil when unknowable.
    func expand(_ text: String, service: PostfixService?, depth: Int, keepUnset: Bool = false) -> String? {
        if depth > 20 || text.count > 65_536 { return nil }      // self-reference or a doubling chain: no value
        if TemplateSyntax.placeholder(in: text) != nil || text.contains("%{") { return nil }
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            guard s[i] == "$", i + 1 < s.count else { out.append(s[i]); i += 1; continue }
            let next = s[i + 1]
            if next == "$" { out.append("$"); i += 2; continue }
            var name = ""
            var modifier: (kind: Unicode.Scalar, text: String)?
            var end = i + 1
            if next == "{" || next == "(" {
                let close: Unicode.Scalar = next == "{" ? "}" : ")"
                var depthBrace = 1
                var j = i + 2
                while j < s.count {
                    if s[j] == next { depthBrace += 1 }
                    if s[j] == close { depthBrace -= 1; if depthBrace == 0 { break } }
                    j += 1
                }
                guard j < s.count else { return nil }
                let inner = PostfixLexer.string(s[(i + 2)..<j])
                end = j + 1
                if let op = inner.unicodeScalars.firstIndex(where: { $0 == "?" || $0 == ":" }) {
                    name = String(inner.unicodeScalars[..<op])
                    modifier = (inner.unicodeScalars[op], String(inner.unicodeScalars[inner.unicodeScalars.index(after: op)...]))
                } else {
                    name = inner
                }
                if name.hasPrefix("{") { return nil }      // ${{$a} == {b}?…}: computed, not modelled
            } else {
                var j = i + 1
                while j < s.count, CharacterSet.alphanumerics.contains(s[j]) || s[j] == "_" { j += 1 }
                if j == i + 1 { out.append("$"); i += 1; continue }
                name = PostfixLexer.string(s[(i + 1)..<j])
                end = j
            }
            let isSet = main[name] != nil || service?.overrides.contains(where: { $0.name == name }) == true
            if keepUnset && !isSet && modifier == nil {
                out.append(contentsOf: s[i..<end])
                i = end
                continue
            }
            let value: String?
            if isSet {
                value = setting(name, service: service, depth: depth + 1)
            } else if let d = Self.defaults[name] {
                value = expand(d, service: service, depth: depth + 1)
            } else {
                // A host-dependent default (myhostname), or a macro defined in a file we do not see
                // (mailcow appends extra.cf): unknowable here, though postconf would expand it to "".
                value = nil
            }
            if let (kind, body) = modifier {
                guard let value else { return nil }
                var branches = [body]
                if body.hasPrefix("{"), let split = body.range(of: "}:{") {
                    branches = [String(body[body.index(after: body.startIndex)..<split.lowerBound]), String(body[split.upperBound...].dropLast())]
                } else if body.hasPrefix("{"), body.hasSuffix("}") {
                    branches = [String(body.dropFirst().dropLast())]
                }
                let chosen: String?
                if kind == "?" { chosen = value.isEmpty ? (branches.count > 1 ? branches[1] : "") : branches[0] }
                else { chosen = value.isEmpty ? branches[0] : value }
                guard let chosen, let expanded = expand(chosen, service: service, depth: depth + 1) else { return nil }
                out.append(contentsOf: expanded.unicodeScalars)
            } else {
                guard let value else { return nil }
                out.append(contentsOf: value.unicodeScalars)
            }
            if out.count > 65_536 { return nil }
            i = end
        }
        return String(out)
    }

    private func setting(_ name: String, service: PostfixService?, depth: Int) -> String? {
        if let w = service?.overrides.last(where: { $0.name == name }) { return w.conditional ? nil : expand(w.value, service: service, depth: depth) }
        if let w = main[name]?.last { return w.conditional ? nil : expand(w.value, service: service, depth: depth) }
        return nil
    }

    /// Postfix 3.11: with `compatibility_level` 3.11 or higher (what a new installation's main.cf says),
    /// an unset `smtp_tls_security_level` is `may`; at lower levels, and before 3.11, it is empty (no TLS).
    /// The `compatibility_level` setting when the release decides (3.11 or higher), nil when every release agrees.
    func compatibilityDecidingClientTLS(service: PostfixService?) -> Setting? {
        let compatibility = setting("compatibility_level", service: service)
        guard let value = compatibility.value?.trimmingCharacters(in: .whitespaces),
              ProgramVersions.isOlder(value, than: "3.11") == false else { return nil }
        return compatibility
    }
}
