#!/usr/bin/env python3
"""Collects tools/gpu/run.sh's results into one JSON (no torch needed; run after every step, so that the JSON is
there even when the command is killed), and with --print a summary with the README table's rows.

  python3 tools/gpu/figures.py --work /tmp/draggan-gpu --out $OUT/figures.json [--print]
"""
import argparse
import json
import os
import re
import time

PAPER = "2.0 s per 1-point edit at 512 px on an RTX 3090 (DragGAN paper)"


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return None


def last_json(text, engine):
    for line in reversed((text or "").splitlines()):
        line = line.strip()
        if line.startswith("{") and f'"engine": "{engine}"' in line:
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def steps(work):
    out = {}
    for line in (read(os.path.join(work, "steps.jsonl")) or "").splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        name = r.pop("step")
        if "start" in r:
            r["seconds"] = round(r["end"] - r["start"], 1)
            r["timed_out"] = r["rc"] in (124, 137)
        out[name] = r
    return out


def gpu_memory(work, st):
    """Peak GPU memory in use during each step, minus what was in use before the first step that uses the GPU."""
    samples = []
    for line in (read(os.path.join(work, "logs", "gpu-memory.txt")) or "").splitlines():
        p = line.split()
        if len(p) == 2:
            try:
                samples.append((float(p[0]), float(p[1])))
            except ValueError:
                pass
    if not samples:
        return None
    gpu_steps = [r for n, r in st.items() if "start" in r and (n.startswith(("java_", "python_", "train")))]
    first = min((r["start"] for r in gpu_steps), default=samples[-1][0])
    before = [m for t, m in samples if t < first]
    base = min(before) if before else samples[0][1]
    out = {"baseline_mib": base}
    for name, r in st.items():
        if "start" in r and name.startswith(("java_", "python_", "train")):
            inside = [m for t, m in samples if r["start"] <= t <= r["end"]]
            if inside:
                out[name] = max(inside) - base
    return out


def java_info(text):
    if not text:
        return None
    info = {}
    for key, prefix in (("runtime", "DJL PyTorch engine:"), ("libtorch_folder", "libtorch folder:"),
                        ("device", "device:")):
        m = re.search("^" + re.escape(prefix) + r"\s*(.*)$", text, re.M)
        if m:
            info[key] = m.group(1)
    m = re.search(r"(\d+) GPU\(s\) usable", text)
    info["gpu_count"] = int(m.group(1)) if m else None
    info["uses_gpu"] = "device: Using GPU" in text
    m = re.search(r"libtorch (\S+) \((cpu|cu\d+), read from", text)
    if m:
        info["detected_version"], info["detected_flavor"] = m.group(1), m.group(2)
    if not info.get("runtime"):
        info["error_tail"] = text[-1500:]
    return info


def java_drag(text):
    # "Arrived after ...", "Not arrived after ...", "Stopped, not arrived after ...", "Max steps reached after ..."
    m = re.search(r"^([A-Z][\w ,]*?) after (\d+) steps in ([\d.]+) s \((\d+) ms per step\)", text or "", re.M)
    if not m:
        return {"error_tail": (text or "")[-1500:]} if text else None
    d = dict(outcome=m.group(1), steps=int(m.group(2)), seconds=float(m.group(3)), ms_per_step=float(m.group(4)))
    d["handles"] = re.findall(r"handle \d+: now at .*", text)
    m = re.search(r"DJL PyTorch engine: .*", text)
    d["runtime"] = m.group(0) if m else None
    return d


def java_invert(text):
    m = re.search(r"PSNR ([\d.]+) dB, SSIM ([\d.]+) after (\d+) projection and (\d+) tuning steps in ([\d.]+) s",
                  text or "")
    if not m:
        return {"error_tail": (text or "")[-1500:]} if text else None
    return dict(psnr_db=float(m.group(1)), ssim=float(m.group(2)), projection_steps=int(m.group(3)),
                tuning_steps=int(m.group(4)), seconds=float(m.group(5)))


def training(text):
    if not text:
        return None
    t = {}
    m = re.search(r"resumed at step (\d+), ([\d.]+) kimg", text)
    t["resumed_from_kimg"] = float(m.group(2)) if m else None
    m = re.search(r"training 256 px on (\S+) .*", text)
    t["started"] = m.group(0) if m else None
    rates = re.findall(r"step (\d+) kimg ([\d.]+) loss_G ([\d.]+) loss_D ([\d.]+) ([\d.]+) s/step", text)
    if rates:
        t["last_log"] = dict(step=int(rates[-1][0]), kimg=float(rates[-1][1]), loss_G=float(rates[-1][2]),
                             loss_D=float(rates[-1][3]), s_per_step=float(rates[-1][4]))
    ck = re.findall(r"checkpoint: step (\d+), ([\d.]+) kimg, ([\d.]+) h", text)
    if ck:
        t["final"] = dict(step=int(ck[-1][0]), kimg=float(ck[-1][1]), hours_trained=float(ck[-1][2]))
    m = re.search(r"slim checkpoint in .*", text)
    t["slim"] = m.group(0) if m else None
    m = re.search(r"dataset done in (\d+) s", text)
    if m:
        t["dataset_s"] = int(m.group(1))
    return t


def ratio(a, b, key="median_ms"):
    try:
        return round(a[key] / b[key], 2)
    except (TypeError, KeyError, ZeroDivisionError):
        return None


def collect(work, rehearsal, t0, budget):
    logs = os.path.join(work, "logs")
    log = lambda name: read(os.path.join(logs, name + ".log"))  # noqa: E731
    st = steps(work)
    env = read(os.path.join(work, "env.txt")) or ""
    gpu = re.search(r"^(NVIDIA [^,\n]*|.*H100[^,\n]*|.*H200[^,\n]*), (\d+ MiB), ([\d.]+)$", env, re.M)
    torch_line = re.search(r"^torch for the JNI: (.*)$", env, re.M)
    jni_log = (log("jni") or "") + (log("jni_nocuda") or "")
    m = re.search(r"built .* \(USE_CUDA=(ON|OFF)\)", jni_log)
    fig = dict(
        schema=1, rehearsal=bool(int(rehearsal)), updated=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        elapsed_s=round(time.time() - t0), budget_s=budget,
        machine=dict(gpu=gpu.group(1) if gpu else None, gpu_memory=gpu.group(2) if gpu else None,
                     driver=gpu.group(3) if gpu else None, torch=torch_line.group(1) if torch_line else None,
                     cores=int(re.search(r"^cores: (\d+)", env, re.M).group(1)) if "cores:" in env else None),
        steps=st,
        jni=dict(built=True if m else ("prebuilt (JNI_SO)" if "JNI_SO" in str(st.get("jni")) else False),
                 use_cuda=(m.group(1) == "ON") if m else None,
                 seconds=(st.get("jni_nocuda") or st.get("jni") or {}).get("seconds")),
        java=dict(info=java_info(log("java_info")), info_assisted=java_info(log("java_info_assisted")),
                  bench_128=last_json(log("java_bench_128"), "java"),
                  bench_512=last_json(log("java_bench_512"), "java"),
                  bench_128_fallback=last_json(log("java_bench_128_fallback"), "java"),
                  drag_128_mask=java_drag(log("java_drag_128")), drag_512_mask=java_drag(log("java_drag_512")),
                  invert=java_invert(log("java_invert"))),
        python=dict(bench_128=last_json(log("python_bench_128"), "python"),
                    bench_512=last_json(log("python_bench_512"), "python")),
        gpu_memory_mib=gpu_memory(work, st),
        training=training(log("train")),
        paper_anchor=PAPER,
    )
    if "java_bench_128_fallback" in st:   # no usable GPU: what the user is told (info's device line)
        i = fig["java"]["info_assisted"] or fig["java"]["info"] or {}
        fig["java"]["fallback_message"] = i.get("device")
    sim = training(log("simulate"))
    if sim and "dataset_s" in sim:
        fig["training_set_s"] = sim["dataset_s"]
    fig["table"] = table(fig)
    return fig


def table(fig):
    j, p, mem = fig["java"], fig["python"], fig["gpu_memory_mib"] or {}
    rows = []
    for res, label in (("128", "nuclei-128 (128 px, 3.4 M parameters)"),
                       ("512", "512 px, StyleGAN2 config-f widths (30 M parameters), random weights")):
        jb, pb = j.get("bench_" + res), p.get("bench_" + res)
        rows.append(dict(bundle=label, java_median_ms=jb and jb.get("median_ms"),
                         python_median_ms=pb and pb.get("median_ms"), java_over_python=ratio(jb, pb),
                         first_step_ms_java=jb and jb.get("first_step_ms"),
                         first_step_ms_python=pb and pb.get("first_step_ms"),
                         java_device=jb and jb.get("device"), python_device=pb and pb.get("device"),
                         gpu_mib_java=mem.get("java_bench_" + res), gpu_mib_python=mem.get("python_bench_" + res),
                         python_peak_allocated_mib=pb and pb.get("peak_gpu_allocated_mb")))
    d = j.get("drag_512_mask") or {}
    rows.append(dict(edit_512=("1-point drag with a mask, 512 px config-f: %s after %s steps in %s s (%s ms per step)"
                               % (d.get("outcome"), d.get("steps"), d.get("seconds"), d.get("ms_per_step")))
                     if "steps" in d else None, paper=PAPER))
    return rows


def summary(fig):
    lines = ["== DragGAN GPU run%s: %s s of %s s" % (" (REHEARSAL)" if fig["rehearsal"] else "", fig["elapsed_s"],
                                                     fig["budget_s"])]
    m = fig["machine"]
    lines.append("machine: %s %s driver %s; torch %s; %s cores" % (m["gpu"], m["gpu_memory"], m["driver"], m["torch"],
                                                                  m["cores"]))
    for name, r in fig["steps"].items():
        lines.append("  step %-24s %s" % (name, ("skipped: " + r["skipped"]) if "skipped" in r else
                     "rc %s, %s s%s" % (r["rc"], r.get("seconds"), " TIMED OUT" if r.get("timed_out") else "")))
    lines.append("JNI: %s" % fig["jni"])
    for k in ("info", "info_assisted"):
        if fig["java"].get(k):
            i = fig["java"][k]
            lines.append("java %s: %s | %s" % (k, i.get("runtime"), i.get("device")))
    if "skipped" in fig["steps"].get("java", {}):   # a training-only pack: no figures of the engines
        lines.append("Java and Python checks: skipped (%s)" % fig["steps"]["java"]["skipped"])
    else:
        for row in fig["table"]:
            lines.append("  " + json.dumps(row))
        for k in ("drag_128_mask", "invert"):
            lines.append("java %s: %s" % (k, json.dumps(fig["java"].get(k))))
    if fig["java"].get("fallback_message"):
        lines.append("fallback: " + fig["java"]["fallback_message"])
    lines.append("gpu memory (MiB over baseline): %s" % json.dumps(fig["gpu_memory_mib"]))
    lines.append("training: %s" % json.dumps(fig["training"]))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rehearsal", default="0")
    ap.add_argument("--t0", type=float, default=time.time())
    ap.add_argument("--budget", type=float, default=0)
    ap.add_argument("--print", action="store_true")
    args = ap.parse_args()
    fig = collect(args.work, args.rehearsal, args.t0, args.budget)
    tmp = args.out + ".%d.tmp" % os.getpid()
    with open(tmp, "w") as f:
        json.dump(fig, f, indent=1)
    os.replace(tmp, args.out)
    if args.print:
        print(summary(fig))


if __name__ == "__main__":
    main()
