"""The word list class codes are drawn from: 256 short, common, concrete English nouns.

Chosen the way Diceware lists are (Reinhold 1995; Bonneau's EFF lists, 2016): words a
student can spell after hearing them once, lower-case a-z only, 3-6 letters, no homophones
("bear/bare", "flour/flower"), no British/American spelling pairs ("harbour/harbor"), no
silent letters. The list is prefix-free (no word starts another), so a code typed without
separators ("mapleotterriver47") still splits into its words in exactly one way. 256 words is
8 bits a word; tests check the size, the alphabet and the prefix-free property.
"""

WORDS: tuple[str, ...] = (
    "acorn", "alarm", "album", "alley", "amber", "angle", "apple", "apron", "arena", "arrow",
    "atlas", "attic", "badge", "baker", "bamboo", "banjo", "barn", "basin", "basket", "beach",
    "beacon", "beetle", "bell", "bench", "berry", "bike", "bird", "boat", "book", "boot", "bottle",
    "bowl", "brain", "branch", "brick", "bridge", "brook", "brush", "bucket", "bunny", "button",
    "cabin", "cactus", "cake", "camel", "camera", "candle", "canoe", "canyon", "carpet", "carrot",
    "castle", "cedar", "chalk", "cheese", "cherry", "chess", "cliff", "clock", "cloud", "clover",
    "coast", "cobra", "cocoa", "comet", "copper", "coral", "cotton", "crab", "crane", "crayon",
    "crown", "cup", "daisy", "desk", "donkey", "door", "dragon", "drum", "duck", "eagle", "earth",
    "ember", "engine", "falcon", "farm", "fence", "field", "flag", "flame", "flask", "fleet",
    "flute", "forest", "fork", "fossil", "fox", "frog", "garden", "garlic", "giant", "ginger",
    "globe", "glove", "goat", "gold", "goose", "grape", "grass", "gravel", "guitar", "hammer",
    "harp", "hazel", "helmet", "heron", "hill", "honey", "hook", "horse", "igloo", "island",
    "jacket", "jaguar", "jar", "jelly", "jewel", "juice", "jungle", "kayak", "kettle", "kiwi",
    "koala", "ladder", "lake", "lamp", "lemon", "lily", "lion", "lizard", "lotus", "magnet",
    "mango", "maple", "marble", "meadow", "melon", "mirror", "monkey", "moon", "moose", "motor",
    "mouse", "muffin", "napkin", "needle", "nest", "noodle", "ocean", "olive", "onion", "orange",
    "orbit", "otter", "owl", "oyster", "paddle", "palace", "panda", "paper", "parrot", "pasta",
    "peach", "peanut", "pebble", "pencil", "pepper", "piano", "pillow", "pilot", "pine", "pirate",
    "planet", "plum", "pocket", "pony", "poppy", "potato", "puppet", "puzzle", "quilt", "rabbit",
    "radio", "raven", "ribbon", "rice", "river", "robin", "robot", "rocket", "rope", "ruby",
    "saddle", "salad", "sand", "scarf", "seal", "seed", "shark", "sheep", "shell", "shovel",
    "silver", "skate", "sled", "snail", "snake", "sock", "sofa", "spider", "spoon", "stable",
    "star", "statue", "stone", "storm", "straw", "summer", "swan", "table", "tiger", "toast",
    "tomato", "torch", "tower", "train", "tulip", "tunnel", "turtle", "valley", "vase", "velvet",
    "violin", "wagon", "walnut", "walrus", "wand", "water", "whale", "wheat", "window", "winter",
    "wizard", "wolf", "zebra", "zipper",
)
