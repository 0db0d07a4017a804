module Main where

import qualified Data.Map as M

-- | Count word frequencies.
main :: IO ()
main = interact $ show . M.toList . M.fromListWith (+) . map (\w -> (w, 1 :: Int)) . words
