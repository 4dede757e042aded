/** The page's one test hook, on window: the worker's model's outputs for rows of network inputs. */

export interface PlaygroundHook {
  predict(x: number[][]): Promise<number[]>;
}

declare global {
  interface Window {
    mlpkitPlayground?: PlaygroundHook;
  }
}
