import MailAuditCore

/// What one `match … action NAME` line of smtpd.conf (6.4+) says about who may send where
/// (smtpd.conf(5) MATCH; parse.y `match`): enough to tell whether clients that have not
/// authenticated may relay mail to any destination through the server.
struct SmtpdMatchRule {
    /// The action the rule hands mail to; nil for `reject`.
    var action: String?
    /// `auth` or `from auth` (not negated): only authenticated sessions match.
    var requiresAuth = false
    /// `from local` (the default) or `from socket`: only mail submitted on this machine matches.
    var fromLocalOnly = true
    /// `for any` or `! for local`: any destination, not only the server's own domains (`for local`, the default).
    var forAnyDestination = false

    init(_ s: [SmtpdToken]) {
        var negated = false
        var i = 1
        while i < s.count {
            let word = s[i].text
            if s[i].kind == .symbol, word == "!" { negated = true; i += 1; continue }
            let next = i + 1 < s.count ? s[i + 1].text : ""
            switch word {
            case "action":
                action = i + 1 < s.count ? next : nil
                return
            case "auth":
                if !negated { requiresAuth = true }
            case "from":
                if next == "auth", !negated { requiresAuth = true }
                fromLocalOnly = ["local", "socket"].contains(next) ? !negated : negated && next == "any"
                i += 1
            case "for":
                forAnyDestination = (next == "any" && !negated) || (next == "local" && negated)
                i += 1
            default: break
            }
            negated = false
            i += 1
        }
    }

    /// A rule through which a client that has not authenticated, connecting over the network, can
    /// have mail relayed to any destination: what makes a listener without `auth` a submission service.
    func relaysUnauthenticated(relayActions: Set<String>) -> Bool {
        guard let action, relayActions.contains(action) else { return false }
        return !requiresAuth && !fromLocalOnly && forAnyDestination
    }
}
