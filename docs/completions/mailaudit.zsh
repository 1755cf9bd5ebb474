#compdef mailaudit

__mailaudit_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__mailaudit_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __mailaudit_complete "${completions[@]:0:-1}"
    fi
}

__mailaudit_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_mailaudit() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'lint:Lint files and directories (default: .).'
            'rules:List the rule pack.'
            'explain:Print a rule'\''s rationale, fix, references and examples.'
            'model:Print the normalized model of the inputs as JSON.'
            'baseline:Record the current findings, so `lint --baseline FILE` reports only new ones.'
            'probe:Connect to mail servers and report what they really do: TLS, STARTTLS, authentication before TLS, certificate.'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        lint|rules|explain|model|baseline|probe|help)
            "_mailaudit_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_mailaudit_lint() {
    local -i ret=1
    local -ar ___format=('text' 'json' 'jsonl' 'sarif' 'github' 'junit' 'markdown' 'html')
    local -ar ___fail_on=('error' 'warning' 'note' 'never')
    local -ar ___as=('mailaudit-yaml' 'mbsync' 'fetchmail' 'mutt' 'msmtp' 'dotenv' 'spring' 'django' 'roundcube' 'nextcloud' 'wordpress' 'gitlab' 'offlineimap' 'getmail' 'gitconfig' 'aerc' 'exim' 'opensmtpd' 'postfix' 'dovecot' 'thunderbird' 'autoconfig' 'mobileconfig' 'autodiscover' 'gitea' 'grafana' 'snappymail')
    local -ar ___color=('auto' 'always' 'never')
    local -ar arg_specs=(
        '*:paths:'
        '--format[Output format.]:format:{__mailaudit_complete "${___format[@]}"}'
        '--output[Write the report to this file (default\: standard output).]:FILE:'
        '*--report[Also write another report in the same run (repeatable), e.g. sarif\:mailaudit.sarif.]:FORMAT\:PATH:_files'
        '--fail-on[Lowest severity that makes the exit status 1 (default\: the configuration'\''s fail_on, else warning).]:fail-on:{__mailaudit_complete "${___fail_on[@]}"}'
        '--as[Force the input format.]:FORMAT:{__mailaudit_complete "${___as[@]}"}'
        '*--rules[Extra rule files or directories (repeatable).]:PATH:'
        '--root[A copy of a server'\''s / (say, a snapshot holding etc/dovecot)\: absolute include paths are read below it. Without it they are followed only inside the audited folder.]:DIR:'
        '--config[Configuration file (default\: the nearest .mailaudit.yml, walking up from the current folder).]:FILE:'
        '--files-from[Also lint the paths listed in FILE, one per line ('\''-'\''\: standard input). Blank lines are ignored.]:FILE:'
        '(-0 --null)'{-0,--null}'[The --files-from list is separated by NUL bytes (find -print0, git ls-files -z).]'
        '--shard[Lint only shard I of N\: a stable split by path, so N runs with I = 1 to N together lint every file exactly once.]:I/N:'
        '--color[Colour in text output.]:color:{__mailaudit_complete "${___color[@]}"}'
        '--quiet[Only findings\: no fixes, no summary.]'
        '--statistics[Counts per rule and format after the findings.]'
        '--max-findings[Show at most this many findings (the summary still counts all).]:max-findings:'
        '--sarif-category[SARIF automationDetails.id, to tell several uploads apart.]:sarif-category:'
        '--include-suppressed[Keep suppressed findings in SARIF (with their suppressions).]'
        '--no-inline-suppressions[Ignore `mailaudit\: disable=…` comments.]'
        '--baseline[Report only findings not recorded in this baseline (see `mailaudit baseline`).]:FILE:'
        '--strict-baseline[Fail (exit 1) when baseline entries match nothing any more.]'
        '--print-config[Print the effective configuration and exit.]'
        '--verify[Also probe the endpoints found\: clients at their host, server listeners at --verify-host (MA801–MA806).]'
        '--verify-host[Where server listeners are probed, and the name their certificates must carry.]:HOST:'
        '--timeout[Seconds allowed for each probe step\: connecting, each reply, each TLS handshake.]:SECONDS:'
        '--concurrency[How many endpoints are probed at the same time.]:concurrency:'
        '--ca-file[Also trust the CA certificates in this PEM file (a private CA).]:FILE:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_mailaudit_rules() {
    local -i ret=1
    local -ar ___format=('text' 'json' 'markdown')
    local -ar arg_specs=(
        '--format[Output format (markdown writes the rules page, docs/rules.md).]:format:{__mailaudit_complete "${___format[@]}"}'
        '*--rules[Extra rule files or directories (repeatable).]:PATH:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_mailaudit_explain() {
    local -i ret=1
    local -ar ___format=('text' 'markdown')
    local -ar arg_specs=(
        ':rule:'
        '*--as[Show the fix and the examples for this input format (repeatable); without it, text lists the formats that have them.]:FORMAT:'
        '--format[Output format (markdown\: the rule'\''s whole page, as in docs/rules.md).]:format:{__mailaudit_complete "${___format[@]}"}'
        '*--rules[Extra rule files or directories (repeatable).]:PATH:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_mailaudit_model() {
    local -i ret=1
    local -ar ___as=('mailaudit-yaml' 'mbsync' 'fetchmail' 'mutt' 'msmtp' 'dotenv' 'spring' 'django' 'roundcube' 'nextcloud' 'wordpress' 'gitlab' 'offlineimap' 'getmail' 'gitconfig' 'aerc' 'exim' 'opensmtpd' 'postfix' 'dovecot' 'thunderbird' 'autoconfig' 'mobileconfig' 'autodiscover' 'gitea' 'grafana' 'snappymail')
    local -ar arg_specs=(
        '*:paths:'
        '--as[Force the input format.]:FORMAT:{__mailaudit_complete "${___as[@]}"}'
        '*--rules[Extra rule files or directories (repeatable).]:PATH:'
        '--root[A copy of a server'\''s / (say, a snapshot holding etc/dovecot)\: absolute include paths are read below it. Without it they are followed only inside the audited folder.]:DIR:'
        '--config[Configuration file (default\: the nearest .mailaudit.yml, walking up from the current folder).]:FILE:'
        '--files-from[Also lint the paths listed in FILE, one per line ('\''-'\''\: standard input). Blank lines are ignored.]:FILE:'
        '(-0 --null)'{-0,--null}'[The --files-from list is separated by NUL bytes (find -print0, git ls-files -z).]'
        '--shard[Lint only shard I of N\: a stable split by path, so N runs with I = 1 to N together lint every file exactly once.]:I/N:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_mailaudit_baseline() {
    local -i ret=1
    local -ar ___as=('mailaudit-yaml' 'mbsync' 'fetchmail' 'mutt' 'msmtp' 'dotenv' 'spring' 'django' 'roundcube' 'nextcloud' 'wordpress' 'gitlab' 'offlineimap' 'getmail' 'gitconfig' 'aerc' 'exim' 'opensmtpd' 'postfix' 'dovecot' 'thunderbird' 'autoconfig' 'mobileconfig' 'autodiscover' 'gitea' 'grafana' 'snappymail')
    local -ar arg_specs=(
        '*:paths:'
        '--output[Where to write the baseline.]:FILE:'
        '--as[Force the input format.]:FORMAT:{__mailaudit_complete "${___as[@]}"}'
        '*--rules[Extra rule files or directories (repeatable).]:PATH:'
        '--root[A copy of a server'\''s / (say, a snapshot holding etc/dovecot)\: absolute include paths are read below it. Without it they are followed only inside the audited folder.]:DIR:'
        '--config[Configuration file (default\: the nearest .mailaudit.yml, walking up from the current folder).]:FILE:'
        '--files-from[Also lint the paths listed in FILE, one per line ('\''-'\''\: standard input). Blank lines are ignored.]:FILE:'
        '(-0 --null)'{-0,--null}'[The --files-from list is separated by NUL bytes (find -print0, git ls-files -z).]'
        '--shard[Lint only shard I of N\: a stable split by path, so N runs with I = 1 to N together lint every file exactly once.]:I/N:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_mailaudit_probe() {
    local -i ret=1
    local -ar ___tls=('none' 'starttls' 'implicit')
    local -ar ___format=('text' 'json' 'jsonl' 'sarif' 'github' 'junit' 'markdown' 'html')
    local -ar ___fail_on=('error' 'warning' 'note' 'never')
    local -ar ___color=('auto' 'always' 'never')
    local -ar arg_specs=(
        '*:HOST\:PORT\[/PROTOCOL\]:'
        '--tls[How TLS is supposed to start, for every target (default\: from /PROTOCOL or the port).]:tls:{__mailaudit_complete "${___tls[@]}"}'
        '--format[Output format.]:format:{__mailaudit_complete "${___format[@]}"}'
        '--output[Write the report to this file (default\: standard output).]:FILE:'
        '--fail-on[Lowest severity that makes the exit status 1.]:fail-on:{__mailaudit_complete "${___fail_on[@]}"}'
        '--timeout[Seconds allowed for each probe step\: connecting, each reply, each TLS handshake.]:SECONDS:'
        '--concurrency[How many endpoints are probed at the same time.]:concurrency:'
        '--ca-file[Also trust the CA certificates in this PEM file (a private CA).]:FILE:'
        '--color[Colour in text output.]:color:{__mailaudit_complete "${___color[@]}"}'
        '--quiet[Only findings\: no observations, fixes or summary.]'
        '--sarif-category[SARIF automationDetails.id.]:sarif-category:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_mailaudit_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _mailaudit ]]; then
    _mailaudit "${@}"
else
    compdef _mailaudit mailaudit
fi
