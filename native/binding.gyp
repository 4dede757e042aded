{
  "targets": [
    {
      "target_name": "mlpkit_native",
      "sources": ["src/addon.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [
        ["OS == 'mac'", {
          "defines": ["MLPKIT_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "libraries": ["-framework Accelerate"]
        }, {
          "cflags": ["<!@(pkg-config --cflags openblas)"],
          "libraries": ["<!@(pkg-config --libs openblas)"]
        }]
      ]
    }
  ]
}
