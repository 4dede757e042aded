# Reference trajectories for test/optim/rules.test.ts: run with python3 (PyTorch), paste the printed JSON as TORCH.
import torch, json
torch.set_default_dtype(torch.float64)
A = torch.tensor([[3.0,0.5,0.0],[0.5,2.0,0.2],[0.0,0.2,1.0]])
b = torch.tensor([1.0,-2.0,0.5])
cfgs = {
 'gd': lambda p: torch.optim.SGD(p, lr=0.1),
 'momentum': lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
 'nesterov': lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
 'adam': lambda p: torch.optim.Adam(p, lr=0.1),
 'adamw': lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.05),
 'rmsprop': lambda p: torch.optim.RMSprop(p, lr=0.01),
 'rmspropMomentum': lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5),
 'adagrad': lambda p: torch.optim.Adagrad(p, lr=0.1),
}
out = {}
for name, mk in cfgs.items():
    th = torch.tensor([0.5,-1.0,2.0], requires_grad=True)
    opt = mk([th]); traj = []
    for _ in range(4):
        opt.zero_grad(); loss = 0.5*th@A@th - b@th; loss.backward(); opt.step()
        traj.append([float(v) for v in th.detach()])
    out[name] = traj
print(json.dumps(out))
