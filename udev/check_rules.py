#!/usr/bin/env python3
"""check_rules.py - syntax and match check of the project's udev rules, without udevd.

udevadm on Debian 12 (systemd 252) has no `verify`, and `udevadm test` needs the device
in /sys plus the rules installed system-wide. So this script does what we can do on any
build machine:

  1. parses every rule line of every *.rules file given, the way udev(7) describes it:
     KEY[{attr}] OPERATOR "value", comma separated, with known keys only, each with the
     operators udev accepts for it, values double-quoted, GOTO targets that exist,
     MODE octal, GROUP a group that sysusers.d/dsr.conf or the base system creates;
  2. checks that every idVendor / idProduct any rule matches equals DSR_USB_VID /
     DSR_USB_PID from dsr_hw.h (one definition of each shared fact);
  3. runs the rules, with a small evaluator (match keys with udev's glob patterns and
     "a|b" alternatives, GOTO/LABEL, assignments in order), against fake devices: the
     DSR board must come out GROUP dsr, MODE 0660, tagged uaccess; a /dev/dsrN node, when
     some rules file handles it, must come out in group dsr; an unrelated USB device
     must be left alone. Every rules file must change at least one fake device.

Exit status 0 when all is well; otherwise one line per problem, naming file and line.
"""
import fnmatch
import re
import sys

# Keys udev(7) knows, and the operators each accepts.
MATCH_OPS = {"==", "!="}
ASSIGN_OPS = {"=", "+=", "-=", ":="}
KEYS = {
    # match-only keys
    "ACTION": MATCH_OPS, "DEVPATH": MATCH_OPS, "KERNEL": MATCH_OPS,
    "KERNELS": MATCH_OPS, "SUBSYSTEM": MATCH_OPS, "SUBSYSTEMS": MATCH_OPS,
    "DRIVER": MATCH_OPS, "DRIVERS": MATCH_OPS, "TAGS": MATCH_OPS, "RESULT": MATCH_OPS,
    "ATTRS": MATCH_OPS, "CONST": MATCH_OPS, "TEST": MATCH_OPS, "PROGRAM": MATCH_OPS,
    # keys that match or assign
    "NAME": MATCH_OPS | {"=", ":="}, "SYMLINK": MATCH_OPS | ASSIGN_OPS,
    "TAG": MATCH_OPS | {"=", "+=", "-="}, "ENV": MATCH_OPS | {"=", "+=", ":="},
    "ATTR": MATCH_OPS | {"="}, "SYSCTL": MATCH_OPS | {"="},
    # assign-only keys
    "OWNER": {"=", ":="}, "GROUP": {"=", ":="}, "MODE": {"=", ":="},
    "SECLABEL": {"=", "+=", ":="}, "RUN": {"=", "+=", ":="}, "IMPORT": {"="},
    "OPTIONS": {"=", "+=", ":="}, "LABEL": {"="}, "GOTO": {"="},
}
# Keys written KEY{attr}: required, optional or forbidden.
ATTR_REQUIRED = {"ATTR", "ATTRS", "ENV", "CONST", "SYSCTL", "SECLABEL", "IMPORT"}
ATTR_OPTIONAL = {"TEST", "RUN", "PROGRAM"}
# Groups a Debian system has without our sysusers file (base-passwd).
BASE_GROUPS = {"root", "plugdev", "video", "dialout", "users", "disk", "tty"}

TOKEN = re.compile(
    r'\s*(?P<key>[A-Z_]+)(?:\{(?P<attr>[^}]*)\})?\s*(?P<op>==|!=|\+=|-=|:=|=)\s*'
    r'"(?P<value>(?:[^"\\]|\\.)*)"\s*(?P<sep>,|$)')


class Problem(Exception):
    pass


def hw_ids(header):
    """DSR_USB_VID and DSR_USB_PID from dsr_hw.h, as udev writes them (4 hex digits)."""
    text = open(header, encoding="utf-8").read()
    ids = {}
    for name in ("DSR_USB_VID", "DSR_USB_PID"):
        m = re.search(r"#define\s+%s\s+(0x[0-9a-fA-F]+)" % name, text)
        if not m:
            raise Problem("%s: no #define %s" % (header, name))
        ids[name] = "%04x" % int(m.group(1), 16)
    return ids["DSR_USB_VID"], ids["DSR_USB_PID"]


def sysusers_groups(path):
    """Group names a sysusers.d file creates (lines 'g NAME ...')."""
    groups = set()
    for line in open(path, encoding="utf-8"):
        f = line.split()
        if len(f) >= 2 and f[0] == "g":
            groups.add(f[1])
    return groups


def logical_lines(path):
    """(line number, text) of each rule, joining backslash continuations, no comments."""
    out, buf, start = [], "", 0
    for n, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.rstrip("\n")
        if not buf:
            start = n
            if not line.strip() or line.lstrip().startswith("#"):
                continue
        if line.endswith("\\"):
            buf += line[:-1]
            continue
        out.append((start, buf + line))
        buf = ""
    if buf:
        out.append((start, buf))
    return out


def parse_rule(where, text):
    """A rule as a list of (key, attr, op, value); raises Problem naming what is wrong."""
    pos, tokens = 0, []
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise Problem('%s: cannot parse at column %d: "%s"' % (where, pos + 1, text[pos:].strip()))
        key, attr, op, value = m.group("key", "attr", "op", "value")
        if key not in KEYS:
            raise Problem("%s: unknown key %s" % (where, key))
        if op not in KEYS[key]:
            raise Problem("%s: key %s does not take operator %s" % (where, key, op))
        if key in ATTR_REQUIRED and not attr:
            raise Problem("%s: key %s needs {attribute}" % (where, key))
        if attr is not None and key not in ATTR_REQUIRED | ATTR_OPTIONAL:
            raise Problem("%s: key %s takes no {attribute}" % (where, key))
        tokens.append((key, attr, op, value))
        pos = m.end()
        if m.group("sep") == "" and pos < len(text):
            raise Problem("%s: missing comma before column %d" % (where, pos + 1))
    if not tokens:
        raise Problem("%s: empty rule" % where)
    return tokens


def check_values(where, tokens, groups, vid, pid):
    """Values that must make sense: MODE octal, GROUP known, VID:PID from dsr_hw.h."""
    for key, attr, op, value in tokens:
        if key == "MODE" and not re.fullmatch(r"0?[0-7]{3,4}", value):
            raise Problem('%s: MODE "%s" is not an octal mode' % (where, value))
        if key == "GROUP" and value not in groups:
            raise Problem('%s: GROUP "%s" is created by no sysusers.d file' % (where, value))
        if key in ("ATTR", "ATTRS") and attr == "idVendor" and value != vid:
            raise Problem('%s: idVendor "%s" but dsr_hw.h says DSR_USB_VID %s' % (where, value, vid))
        if key in ("ATTR", "ATTRS") and attr == "idProduct" and value != pid:
            raise Problem('%s: idProduct "%s" but dsr_hw.h says DSR_USB_PID %s' % (where, value, pid))


def load(path, groups, vid, pid):
    """All rules of one file, checked, plus GOTO targets resolved."""
    rules, labels, gotos = [], set(), []
    for n, text in logical_lines(path):
        where = "%s:%d" % (path, n)
        tokens = parse_rule(where, text)
        check_values(where, tokens, groups, vid, pid)
        for key, _, _, value in tokens:
            if key == "LABEL":
                labels.add(value)
            if key == "GOTO":
                gotos.append((where, value))
        rules.append((where, tokens))
    for where, target in gotos:
        if target not in labels:
            raise Problem('%s: GOTO "%s" has no LABEL in this file' % (where, target))
    return rules


def glob_match(pattern, value):
    """udev's pattern match: shell glob, '|' separates alternatives."""
    return any(fnmatch.fnmatchcase(value, alt) for alt in pattern.split("|"))


def lookup(dev, key, attr):
    """The fake device's value for a match key ('' when it has none, as udev does)."""
    if key in ("ATTR", "ATTRS"):
        return dev["attrs"].get(attr, "")
    if key == "ENV":
        return dev["env"].get(attr, "")
    if key in ("SUBSYSTEMS", "KERNELS", "DRIVERS"):
        return dev.get(key[:-1], "")
    if key in ("TAG", "TAGS"):
        return None
    return dev.get(key, "")


def rule_matches(dev, tokens):
    """True if every match key of the rule holds for the device."""
    for key, attr, op, value in tokens:
        if op not in MATCH_OPS:
            continue
        if key in ("TAG", "TAGS"):
            hit = any(glob_match(value, t) for t in dev["tags"])
        else:
            got = lookup(dev, key, attr)
            hit = glob_match(value, got)
        if hit != (op == "=="):
            return False
    return True


def apply_rule(dev, tokens, result):
    """The rule's assignments, in order; returns a GOTO target or None."""
    for key, attr, op, value in tokens:
        if op in MATCH_OPS:
            continue
        if key in ("GROUP", "MODE", "OWNER"):
            if not result.get(key + ":final"):
                result[key] = value
                result[key + ":final"] = op == ":="
        elif key == "TAG":
            if op == "-=":
                dev["tags"].discard(value)
            else:
                if op == "=":
                    dev["tags"].clear()
                dev["tags"].add(value)
            result["changed"] = True
        elif key == "ENV":
            dev["env"][attr] = value
        elif key == "GOTO":
            return value
        if key in ("GROUP", "MODE", "OWNER", "SYMLINK", "RUN", "NAME"):
            result["changed"] = True
    return None


def evaluate(files, dev):
    """Run rules files in order (as udev does: one list, GOTO within a file) over a fake
    device; returns {GROUP, MODE, tags, changed, by: files that changed it}."""
    dev = dict(dev, tags=set(dev.get("tags", ())), env=dict(dev.get("env", {})))
    result = {"changed": False, "by": set()}
    for path, rules in files:
        before = result["changed"]
        result["changed"] = False
        i = 0
        while i < len(rules):
            _, tokens = rules[i]
            target = None
            if rule_matches(dev, tokens):
                target = apply_rule(dev, tokens, result)
            if target:
                i = next(j for j, (_, t) in enumerate(rules)
                         if any(k == "LABEL" and v == target for k, _, _, v in t))
            i += 1
        if result["changed"]:
            result["by"].add(path)
        result["changed"] |= before
    result["tags"] = dev["tags"]
    return result


def fake_devices(vid, pid):
    """The devices every rules file is run against, with what each must come out as."""
    usb = {"ACTION": "add", "SUBSYSTEM": "usb", "KERNEL": "1-1", "DEVPATH": "/devices/platform/vhci_hcd.0/usb1/1-1",
           "env": {"DEVTYPE": "usb_device"}}
    return [
        ("DSR board (USB device %s:%s)" % (vid, pid),
         dict(usb, attrs={"idVendor": vid, "idProduct": pid}),
         {"GROUP": "dsr", "MODE": "0660", "tag": "uaccess"}),
        ("DSR board's interface (usb_interface)",
         dict(usb, KERNEL="1-1:1.0", env={"DEVTYPE": "usb_interface"},
              attrs={"bInterfaceClass": "ff"}), None),
        ("unrelated USB device 046d:c52b",
         dict(usb, attrs={"idVendor": "046d", "idProduct": "c52b"}), None),
        ("DSR board removed",
         dict(usb, ACTION="remove", attrs={"idVendor": vid, "idProduct": pid}), None),
        ("/dev/dsr0 char device (class dsr)",
         {"ACTION": "add", "SUBSYSTEM": "dsr", "KERNEL": "dsr0", "DEVPATH": "/devices/virtual/dsr/dsr0",
          "DRIVER": "", "attrs": {}, "env": {}}, "dsr-node"),
    ]


def check_all(paths, groups, vid, pid):
    """All checks for the rules files together; returns a list of problems."""
    files, problems = [], []
    for path in sorted(paths, key=lambda p: p.rsplit("/", 1)[-1]):
        try:
            files.append((path, load(path, groups, vid, pid)))
        except Problem as e:
            problems.append(str(e))
    if problems:
        return problems
    touched = set()
    for name, dev, want in fake_devices(vid, pid):
        got = evaluate(files, dev)
        touched |= got["by"]
        if want is None:
            if got["changed"]:
                problems.append("%s changes %s (GROUP %s, MODE %s, tags %s); expected untouched"
                                % (", ".join(sorted(got["by"])), name, got.get("GROUP"),
                                   got.get("MODE"), sorted(got["tags"])))
        elif want == "dsr-node":
            if got["changed"] and got.get("GROUP") != "dsr":
                problems.append("%s: gets GROUP %s; expected dsr" % (name, got.get("GROUP")))
        else:
            for key in ("GROUP", "MODE"):
                if got.get(key) != want[key]:
                    problems.append("%s: gets %s %s; expected %s" % (name, key, got.get(key), want[key]))
            if want["tag"] not in got["tags"]:
                problems.append("%s: not tagged %s; tags %s" % (name, want["tag"], sorted(got["tags"])))
    for path, _ in files:
        if path not in touched:
            problems.append("%s: no rule applies to any of the fake devices (dead file?)" % path)
    return problems


def main(argv):
    if len(argv) < 4:
        print("usage: check_rules.py DSR_HW_H SYSUSERS_CONF RULES...", file=sys.stderr)
        return 2
    try:
        vid, pid = hw_ids(argv[1])
        groups = BASE_GROUPS | sysusers_groups(argv[2])
    except (OSError, Problem) as e:
        print("check_rules: %s" % e, file=sys.stderr)
        return 1
    problems = check_all(argv[3:], groups, vid, pid)
    if not problems:
        for path in argv[3:]:
            print("ok   %s (syntax, VID:PID = dsr_hw.h %s:%s, fake-device matches)" % (path, vid, pid))
    for p in problems:
        print("FAIL %s" % p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
