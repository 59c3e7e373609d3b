#!/usr/bin/env python3
"""Hand check, not run in CI: a 'draggan dataset' zip through NVIDIA's own code, from a checkout of
stylegan2-ada-pytorch that you fetch yourself (nothing of their code is in this repository: their licence forbids it).

  /usr/bin/python3 tools/nvlabs_handcheck.py CHECKOUT DATA.zip OUT/network-snapshot-000000.pkl

Reads the zip with their ImageFolderDataset, builds their Generator and Discriminator for its channels, and runs six
steps (Gmain, Greg, Dmain, Dreg) of their StyleGAN2Loss with their AugmentPipe at the 'bgc' settings (p = 0.5) on
the CPU, then pickles a snapshot as their training loop does, for 'draggan convert --dataset'. Their
training_loop.py itself cannot run on a CPU (it hard-codes torch.device('cuda'), CUDA events and memory statistics),
so this drives the same pieces. Their grid_sample_gradfix supports torch 1.7-1.9 only: on newer torch the R1 step's
double backward through the geometric augmentation is not implemented, so R1 runs without the augmentation here.
Needs numpy, torch, PIL (and their dnnlib, torch_utils from the checkout).
"""
import sys, copy, pickle, time
sys.path.insert(0, sys.argv[1])
import numpy as np, torch, dnnlib
from training.dataset import ImageFolderDataset
from training.networks import Generator, Discriminator
from training.augment import AugmentPipe
from training.loss import StyleGAN2Loss
data, out = sys.argv[2], sys.argv[3]
torch.manual_seed(0)
dev = torch.device('cpu')
from torch_utils.ops import grid_sample_gradfix, conv2d_gradfix
grid_sample_gradfix.enabled = True  # as their training_loop sets it
ds = ImageFolderDataset(data, use_labels=False, xflip=True)
C, R = ds.num_channels, ds.resolution
print('dataset', len(ds), 'images', ds.image_shape)
ck = dict(channel_base=2048, channel_max=32, num_fp16_res=0, conv_clamp=256)
G = Generator(z_dim=32, c_dim=0, w_dim=32, img_resolution=R, img_channels=C, mapping_kwargs=dict(num_layers=2), synthesis_kwargs=ck).to(dev)
D = Discriminator(c_dim=0, img_resolution=R, img_channels=C, block_kwargs={}, mapping_kwargs={}, epilogue_kwargs=dict(mbstd_group_size=4), **ck).to(dev)
G_ema = copy.deepcopy(G).eval()
aug = AugmentPipe(xflip=1, rotate90=1, xint=1, scale=1, rotate=1, aniso=1, xfrac=1, brightness=1, contrast=1, lumaflip=1, hue=1, saturation=1).to(dev)
aug.p.copy_(torch.as_tensor(0.5))
loss = StyleGAN2Loss(device=dev, G_mapping=G.mapping, G_synthesis=G.synthesis, D=D, augment_pipe=aug, r1_gamma=0.0064, pl_weight=2)
optG = torch.optim.Adam(G.parameters(), lr=0.0025, betas=(0, 0.99)); optD = torch.optim.Adam(D.parameters(), lr=0.0025, betas=(0, 0.99))
loader = torch.utils.data.DataLoader(ds, batch_size=8, shuffle=True)
t0 = time.time(); it = iter(loader)
for step in range(6):
    try: img, c = next(it)
    except StopIteration: it = iter(loader); img, c = next(it)
    real = img.to(torch.float32) / 127.5 - 1
    z = torch.randn(8, 32); gc = torch.zeros(8, 0)
    for phase, opt, mod in [('Gmain', optG, G), ('Greg', optG, G), ('Dmain', optD, D), ('Dreg', optD, D)]:
        opt.zero_grad(set_to_none=True); mod.requires_grad_(True)
        # Dreg: their grid_sample_gradfix supports torch 1.7-1.9 only; on Debian's 1.13 the R1 double backward through
        # the geometric augmentation is not implemented, so R1 runs without the augmentation here
        loss.augment_pipe = None if phase == 'Dreg' else aug
        loss.accumulate_gradients(phase=phase, real_img=real, real_c=c, gen_z=z, gen_c=gc, sync=True, gain=1)
        mod.requires_grad_(False); opt.step()
    with torch.no_grad():
        for pe, p in zip(G_ema.parameters(), G.parameters()): pe.copy_(p.lerp(pe, 0.9))
    print(f'step {step}: {time.time() - t0:.1f} s')
snap = dict(training_set_kwargs=dict(class_name='training.dataset.ImageFolderDataset', path=data, use_labels=False, max_size=len(ds), xflip=True, resolution=R))
for name, m in [('G', G), ('D', D), ('G_ema', G_ema), ('augment_pipe', aug)]:
    snap[name] = copy.deepcopy(m).eval().requires_grad_(False).cpu()
with open(out, 'wb') as f: pickle.dump(snap, f)
print('wrote', out)
