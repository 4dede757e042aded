{
  "targets": [
    {
      "target_name": "mlpkit_native",
      "sources": ["src/addon.c"],
      "cflags": ["-O3", "-ffp-contract=off", "-fno-math-errno", "-Wall", "-Wextra"],
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
