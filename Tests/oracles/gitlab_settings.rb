# Ruby's own reading of a gitlab.rb, for Tests/oracles/test_gitlab.py.
#
#   ruby gitlab_settings.rb FILE   ->  JSON on stdout
#
# 1. Ruby's parser (RubyVM::AbstractSyntaxTree) finds the top-level `name['key'] = value`
#    statements. Those whose value is a literal (string, symbol, number, true/false/nil, arrays
#    and hashes of them, strings joined with `+`, OpenSSL::SSL::VERIFY_* constants) are evaluated
#    by Ruby into hashes that stand in for Omnibus's settings objects. Nothing else is evaluated:
#    a statement with a computed value (ENV, File.read, a method call, interpolation), and every
#    assignment inside a condition, a block or a method body, makes its setting unknown — until a
#    later top-level literal assignment sets it again.
# 2. When `gitlab_rails['smtp_enable']` is on, the smtp_* settings go to GitLab's mailer the way
#    Omnibus's smtp_settings.rb template passes them (every setting that is not nil; the
#    authentication as a symbol), and the mailer builds its Net::SMTP session: Debian's ruby-mail
#    (mail 2.7) and Ruby's net-smtp. No connection is made.
#
# Where Debian's mail 2.7 differs from GitLab's (mail 2.8.1 with GitLab's STARTTLS patch), this
# script applies GitLab's rule and says so where it does: `tls` and `enable_starttls_auto` both true
# is refused, `tls` counts by Ruby's truth rather than only true/false, and `enable_starttls_auto`
# false turns STARTTLS off.
#
# The files are third-party: the test runs this script on a copy, without network (`unshare -n`)
# and with a time limit. Only literal statements are evaluated, so no code of the file runs.
require 'json'
require 'mail'

UNKNOWN = Object.new.freeze

def literal?(node)
  return false unless node.is_a?(RubyVM::AbstractSyntaxTree::Node)
  case node.type
  when :STR, :TRUE, :FALSE, :NIL, :ZLIST then true
  when :LIT then [Integer, Float, Symbol].any? { |k| node.children[0].is_a?(k) }
  when :LIST then node.children.compact.all? { |c| literal?(c) }
  when :HASH then node.children[0].nil? || literal?(node.children[0])
  when :OPCALL then joined_strings?(node)
  when :COLON2 then verify_constant?(node)
  else false
  end
end

# 'a' + 'b' + 'c'
def joined_strings?(node)
  return true if node.type == :STR
  return false unless node.type == :OPCALL
  recv, op, args = node.children
  arg = args&.type == :LIST ? args.children.compact : []
  op == :+ && joined_strings?(recv) && arg.size == 1 && joined_strings?(arg[0])
end

def verify_constant?(node)
  outer, name = node.children
  name.to_s.start_with?('VERIFY_') && outer&.type == :COLON2 && outer.children[1] == :SSL && outer.children[0]&.type == :CONST && outer.children[0].children[0] == :OpenSSL
end

# `gitlab_rails['a']['b']`: the setting object's name and the keys, or nil when not that shape.
def target(recv, args)
  keys = []
  args.children.compact[0...-1].each do |k|
    return nil unless k.type == :STR || (k.type == :LIT && k.children[0].is_a?(Symbol))
    keys << k.children[0].to_s
  end
  while recv.type == :CALL && recv.children[1] == :[]
    inner = recv.children[2]&.children&.compact || []
    return nil unless inner.size == 1 && (inner[0].type == :STR || (inner[0].type == :LIT && inner[0].children[0].is_a?(Symbol)))
    keys.unshift(inner[0].children[0].to_s)
    recv = recv.children[0]
  end
  return nil unless recv.type == :VCALL || recv.type == :FCALL
  [recv.children[0].to_s, keys]
end

def source(lines, node)
  if node.first_lineno == node.last_lineno
    lines[node.first_lineno - 1].byteslice(node.first_column...node.last_column)
  else
    first = lines[node.first_lineno - 1].byteslice(node.first_column..)
    middle = lines[node.first_lineno...(node.last_lineno - 1)]
    last = lines[node.last_lineno - 1].byteslice(0...node.last_column)
    ([first] + middle + [last]).join
  end
end

# Stands in for Omnibus's settings objects: `gitlab_rails` is a hash that grows as keys are set.
class Settings
  attr_reader :objects

  def initialize
    @objects = Hash.new { |h, name| h[name] = Hash.new { |inner, k| inner[k] = Hash.new(&inner.default_proc) } }
  end

  def method_missing(name, *args)
    args.empty? ? @objects[name.to_s] : super
  end

  def respond_to_missing?(*) = true
end

# A Jinja template (`gitlab.rb.j2`) becomes Ruby of the same structure: `{% if %}` … `{% endif %}`
# an `if … end` on a condition Ruby cannot know, `{{ x }}` a value Ruby cannot know. Line numbers stay.
def unjinja(text)
  text.lines.map do |line|
    t = line.strip
    if t.start_with?('{%') && t.end_with?('%}') && t.scan('{%').size == 1
      word = t[2..-3].strip.delete_prefix('-').strip[/\A\w+/].to_s
      case word
      when 'if', 'for', 'macro', 'block', 'call', 'filter', 'with', 'raw', 'autoescape' then "if jinja_condition\n"
      when 'elif', 'else' then "else\n"
      else word.start_with?('end') ? "end\n" : "\n"
      end
    elsif (t.start_with?('{#') && t.end_with?('#}')) || (t.start_with?('{{') && t.end_with?('}}') && t.scan('{{').size == 1)
      "\n"
    else
      line.gsub(/\{\{.*?\}\}/) { |m| line[0...line.index(m)].count("'\"").odd? ? m : 'jinja_value' }
    end
  end.join
end

path = ARGV.fetch(0)
text = File.read(path)
text = unjinja(text) if text.include?('{%') || text.include?('{{')
lines = text.lines
begin
  ast = RubyVM::AbstractSyntaxTree.parse(text)
rescue SyntaxError => e
  puts JSON.generate('syntax_error' => e.message.lines.first.to_s.strip)
  exit 0
end

settings = Settings.new
unknown = Hash.new { |h, k| h[k] = {} }   # object name => { key path => true }
set = ->(name, keys) { unknown[name].delete(keys) }

nested = lambda do |node|
  next unless node.is_a?(RubyVM::AbstractSyntaxTree::Node)
  if node.type == :ATTRASGN && node.children[1] == :[]= && node.children[2]&.type == :LIST
    if (t = target(node.children[0], node.children[2]))
      unknown[t[0]][t[1]] = true
    end
  end
  node.children.each { |c| nested.call(c) }
end

body = ast.children[2]
statements = body.nil? ? [] : (body.type == :BLOCK ? body.children : [body])
statements.each do |st|
  if st.type == :ATTRASGN && st.children[1] == :[]= && st.children[2]&.type == :LIST
    t = target(st.children[0], st.children[2])
    value = st.children[2].children.compact.last
    if t && literal?(value)
      settings.instance_eval(source(lines, st), path, st.first_lineno)
      set.call(*t)
      next
    end
    unknown[t[0]][t[1]] = true if t
    st.children.each { |c| nested.call(c) }
  else
    nested.call(st)
  end
end

rails = settings.objects['gitlab_rails'].transform_keys(&:to_s)
rails_unknown = unknown['gitlab_rails'].keys.select { |k| k.size == 1 }.map(&:first)
# A template's placeholder left in a string is not what GitLab gets.
rails.each { |k, v| rails_unknown << k if v.is_a?(String) && v.match?(/\{\{.*\}\}/) }
rails_unknown.uniq!
get = ->(key) { rails_unknown.include?(key) ? UNKNOWN : rails[key] }
given = ->(key) { rails_unknown.include?(key) || rails.key?(key) }

out = { 'settings' => rails.select { |k, _| k.start_with?('smtp_', 'incoming_email_', 'service_desk_email_') }, 'unknown' => rails_unknown.sort }

enable = get.call('smtp_enable')
if given.call('smtp_enable') && (enable.equal?(UNKNOWN) || enable)
  keys = %w[address port user_name password domain enable_starttls_auto tls ssl openssl_verify_mode ca_path ca_file]
  values = {}
  unknown_keys = []
  keys.each do |k|
    v = get.call("smtp_#{k}")
    if v.equal?(UNKNOWN) then unknown_keys << k
    elsif !v.nil? then values[k.to_sym] = v
    end
  end
  auth = get.call('smtp_authentication')
  unknown_keys << 'authentication' if auth.equal?(UNKNOWN)
  values[:authentication] = auth.to_s.to_sym unless auth.nil? || auth.equal?(UNKNOWN)

  smtp = {}
  # mail 2.8 (GitLab's): tls or ssl by Ruby's truth, and never together with enable_starttls_auto.
  implicit = values[:tls] || values[:ssl]
  values.delete(:ssl)
  values[:tls] = implicit ? true : (values.key?(:tls) ? false : nil)
  values.delete(:tls) if values[:tls].nil?
  refused = implicit && values[:enable_starttls_auto]
  verify_rejected = false
  session = begin
    Mail::SMTP.new(values).send(:build_smtp_session)
  rescue NameError, TypeError
    verify_rejected = true
    Mail::SMTP.new(values.reject { |k, _| k == :openssl_verify_mode }).send(:build_smtp_session)
  end
  # GitLab's patch: enable_starttls_auto false turns STARTTLS off. Debian's mail 2.7 leaves net-smtp's
  # own default (:auto) on there, the Ruby 3 behaviour GitLab patched away.
  session.disable_starttls if values.key?(:enable_starttls_auto) && !values[:enable_starttls_auto] && !session.tls?
  smtp['address'] = unknown_keys.include?('address') ? 'unknown' : session.address
  smtp['port'] = unknown_keys.include?('port') ? 'unknown' : session.port
  tls_inputs = %w[tls ssl enable_starttls_auto] & unknown_keys
  smtp['tls'] = if !tls_inputs.empty? then 'unknown'
                elsif refused then 'refused'
                elsif session.tls? then 'implicit'
                elsif session.starttls? == :always then 'starttls-required'
                elsif session.starttls? == :auto then 'starttls-opportunistic'
                else 'none'
                end
  context = session.tls? ? session.instance_variable_get(:@ssl_context_tls) : session.instance_variable_get(:@ssl_context_starttls)
  smtp['verify_mode'] = if unknown_keys.include?('openssl_verify_mode') then 'unknown'
                        elsif verify_rejected then 'rejected'
                        elsif session.tls? || session.starttls?
                          # OpenSSL takes the mode as a number when TLS starts: a symbol fails there.
                          context&.verify_mode.is_a?(Integer) ? context.verify_mode : 'rejected'
                        end
  # Net::SMTP#start logs in when a user name or a secret is given, with PLAIN unless told otherwise.
  smtp['auth'] = if (unknown_keys & %w[user_name password]).any? && !(values[:user_name] || values[:password]) then 'unknown'
                 elsif values[:user_name] || values[:password]
                   unknown_keys.include?('authentication') ? 'unknown' : (values[:authentication] || :plain).to_s.downcase
                 end
  out['smtp'] = smtp
end

puts JSON.generate(out)
