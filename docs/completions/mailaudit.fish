function __mailaudit_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __mailaudit_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __mailaudit_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __mailaudit_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __mailaudit_parse_tokens -S
    set -l unparsed_tokens (__mailaudit_tokens -pc)
    switch $unparsed_tokens[1]
    case 'mailaudit'
        __mailaudit_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'lint'
            __mailaudit_parse_subcommand -r 1 'format=' 'output=' 'report=+' 'fail-on=' 'as=' 'rules=+' 'root=' 'config=' 'files-from=' '0/null' 'shard=' 'color=' 'quiet' 'statistics' 'max-findings=' 'sarif-category=' 'include-suppressed' 'no-inline-suppressions' 'baseline=' 'strict-baseline' 'print-config' 'verify' 'verify-host=' 'timeout=' 'concurrency=' 'ca-file=' 'version' 'h/help'
        case 'rules'
            __mailaudit_parse_subcommand 0 'format=' 'rules=+' 'version' 'h/help'
        case 'explain'
            __mailaudit_parse_subcommand 1 'as=+' 'format=' 'rules=+' 'version' 'h/help'
        case 'model'
            __mailaudit_parse_subcommand -r 1 'as=' 'rules=+' 'root=' 'config=' 'files-from=' '0/null' 'shard=' 'version' 'h/help'
        case 'baseline'
            __mailaudit_parse_subcommand -r 1 'output=' 'as=' 'rules=+' 'root=' 'config=' 'files-from=' '0/null' 'shard=' 'version' 'h/help'
        case 'probe'
            __mailaudit_parse_subcommand -r 1 'tls=' 'format=' 'output=' 'fail-on=' 'timeout=' 'concurrency=' 'ca-file=' 'color=' 'quiet' 'sarif-category=' 'version' 'h/help'
        case 'help'
            __mailaudit_parse_subcommand -r 1 'version'
        end
    end
end

function __mailaudit_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __mailaudit_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __mailaudit_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __mailaudit_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__mailaudit_tokens -p)
    if test -z "$(__mailaudit_tokens -t)"
        set -l index (count (__mailaudit_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'mailaudit' -f
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit" version' -l 'version' -d 'Show the version.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_positional "mailaudit" -eq 1' -fa 'lint' -d 'Lint files and directories (default: .).'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_positional "mailaudit" -eq 1' -fa 'rules' -d 'List the rule pack.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_positional "mailaudit" -eq 1' -fa 'explain' -d 'Print a rule\'s rationale, fix, references and examples.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_positional "mailaudit" -eq 1' -fa 'model' -d 'Print the normalized model of the inputs as JSON.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_positional "mailaudit" -eq 1' -fa 'baseline' -d 'Record the current findings, so `lint --baseline FILE` reports only new ones.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_positional "mailaudit" -eq 1' -fa 'probe' -d 'Connect to mail servers and report what they really do: TLS, STARTTLS, authentication before TLS, certificate.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_positional "mailaudit" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" format' -l 'format' -d 'Output format.' -rfka 'text json jsonl sarif github junit markdown html'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" output' -l 'output' -d 'Write the report to this file (default: standard output).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint"' -l 'report' -d 'Also write another report in the same run (repeatable), e.g. sarif:mailaudit.sarif.' -rF
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" fail-on' -l 'fail-on' -d 'Lowest severity that makes the exit status 1 (default: the configuration\'s fail_on, else warning).' -rfka 'error warning note never'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" as' -l 'as' -d 'Force the input format.' -rfka 'mailaudit-yaml mbsync fetchmail mutt msmtp dotenv spring django roundcube nextcloud wordpress gitlab offlineimap getmail gitconfig aerc exim opensmtpd postfix dovecot thunderbird autoconfig mobileconfig autodiscover gitea grafana snappymail'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint"' -l 'rules' -d 'Extra rule files or directories (repeatable).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" root' -l 'root' -d 'A copy of a server\'s / (say, a snapshot holding etc/dovecot): absolute include paths are read below it. Without it they are followed only inside the audited folder.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" config' -l 'config' -d 'Configuration file (default: the nearest .mailaudit.yml, walking up from the current folder).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" files-from' -l 'files-from' -d 'Also lint the paths listed in FILE, one per line (\'-\': standard input). Blank lines are ignored.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" 0 null' -s '0' -l 'null' -d 'The --files-from list is separated by NUL bytes (find -print0, git ls-files -z).'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" shard' -l 'shard' -d 'Lint only shard I of N: a stable split by path, so N runs with I = 1 to N together lint every file exactly once.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" color' -l 'color' -d 'Colour in text output.' -rfka 'auto always never'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" quiet' -l 'quiet' -d 'Only findings: no fixes, no summary.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" statistics' -l 'statistics' -d 'Counts per rule and format after the findings.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" max-findings' -l 'max-findings' -d 'Show at most this many findings (the summary still counts all).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" sarif-category' -l 'sarif-category' -d 'SARIF automationDetails.id, to tell several uploads apart.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" include-suppressed' -l 'include-suppressed' -d 'Keep suppressed findings in SARIF (with their suppressions).'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" no-inline-suppressions' -l 'no-inline-suppressions' -d 'Ignore `mailaudit: disable=…` comments.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" baseline' -l 'baseline' -d 'Report only findings not recorded in this baseline (see `mailaudit baseline`).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" strict-baseline' -l 'strict-baseline' -d 'Fail (exit 1) when baseline entries match nothing any more.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" print-config' -l 'print-config' -d 'Print the effective configuration and exit.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" verify' -l 'verify' -d 'Also probe the endpoints found: clients at their host, server listeners at --verify-host (MA801–MA806).'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" verify-host' -l 'verify-host' -d 'Where server listeners are probed, and the name their certificates must carry.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" timeout' -l 'timeout' -d 'Seconds allowed for each probe step: connecting, each reply, each TLS handshake.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" concurrency' -l 'concurrency' -d 'How many endpoints are probed at the same time.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" ca-file' -l 'ca-file' -d 'Also trust the CA certificates in this PEM file (a private CA).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" version' -l 'version' -d 'Show the version.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit lint" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit rules" format' -l 'format' -d 'Output format (markdown writes the rules page, docs/rules.md).' -rfka 'text json markdown'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit rules"' -l 'rules' -d 'Extra rule files or directories (repeatable).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit rules" version' -l 'version' -d 'Show the version.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit rules" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit explain"' -l 'as' -d 'Show the fix and the examples for this input format (repeatable); without it, text lists the formats that have them.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit explain" format' -l 'format' -d 'Output format (markdown: the rule\'s whole page, as in docs/rules.md).' -rfka 'text markdown'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit explain"' -l 'rules' -d 'Extra rule files or directories (repeatable).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit explain" version' -l 'version' -d 'Show the version.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit explain" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit model" as' -l 'as' -d 'Force the input format.' -rfka 'mailaudit-yaml mbsync fetchmail mutt msmtp dotenv spring django roundcube nextcloud wordpress gitlab offlineimap getmail gitconfig aerc exim opensmtpd postfix dovecot thunderbird autoconfig mobileconfig autodiscover gitea grafana snappymail'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit model"' -l 'rules' -d 'Extra rule files or directories (repeatable).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit model" root' -l 'root' -d 'A copy of a server\'s / (say, a snapshot holding etc/dovecot): absolute include paths are read below it. Without it they are followed only inside the audited folder.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit model" config' -l 'config' -d 'Configuration file (default: the nearest .mailaudit.yml, walking up from the current folder).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit model" files-from' -l 'files-from' -d 'Also lint the paths listed in FILE, one per line (\'-\': standard input). Blank lines are ignored.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit model" 0 null' -s '0' -l 'null' -d 'The --files-from list is separated by NUL bytes (find -print0, git ls-files -z).'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit model" shard' -l 'shard' -d 'Lint only shard I of N: a stable split by path, so N runs with I = 1 to N together lint every file exactly once.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit model" version' -l 'version' -d 'Show the version.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit model" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit baseline" output' -l 'output' -d 'Where to write the baseline.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit baseline" as' -l 'as' -d 'Force the input format.' -rfka 'mailaudit-yaml mbsync fetchmail mutt msmtp dotenv spring django roundcube nextcloud wordpress gitlab offlineimap getmail gitconfig aerc exim opensmtpd postfix dovecot thunderbird autoconfig mobileconfig autodiscover gitea grafana snappymail'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit baseline"' -l 'rules' -d 'Extra rule files or directories (repeatable).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit baseline" root' -l 'root' -d 'A copy of a server\'s / (say, a snapshot holding etc/dovecot): absolute include paths are read below it. Without it they are followed only inside the audited folder.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit baseline" config' -l 'config' -d 'Configuration file (default: the nearest .mailaudit.yml, walking up from the current folder).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit baseline" files-from' -l 'files-from' -d 'Also lint the paths listed in FILE, one per line (\'-\': standard input). Blank lines are ignored.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit baseline" 0 null' -s '0' -l 'null' -d 'The --files-from list is separated by NUL bytes (find -print0, git ls-files -z).'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit baseline" shard' -l 'shard' -d 'Lint only shard I of N: a stable split by path, so N runs with I = 1 to N together lint every file exactly once.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit baseline" version' -l 'version' -d 'Show the version.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit baseline" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" tls' -l 'tls' -d 'How TLS is supposed to start, for every target (default: from /PROTOCOL or the port).' -rfka 'none starttls implicit'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" format' -l 'format' -d 'Output format.' -rfka 'text json jsonl sarif github junit markdown html'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" output' -l 'output' -d 'Write the report to this file (default: standard output).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" fail-on' -l 'fail-on' -d 'Lowest severity that makes the exit status 1.' -rfka 'error warning note never'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" timeout' -l 'timeout' -d 'Seconds allowed for each probe step: connecting, each reply, each TLS handshake.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" concurrency' -l 'concurrency' -d 'How many endpoints are probed at the same time.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" ca-file' -l 'ca-file' -d 'Also trust the CA certificates in this PEM file (a private CA).' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" color' -l 'color' -d 'Colour in text output.' -rfka 'auto always never'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" quiet' -l 'quiet' -d 'Only findings: no observations, fixes or summary.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" sarif-category' -l 'sarif-category' -d 'SARIF automationDetails.id.' -rfka ''
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" version' -l 'version' -d 'Show the version.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit probe" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mailaudit' -n '__mailaudit_should_offer_completions_for_flags_or_options "mailaudit help" version' -l 'version' -d 'Show the version.'
