"""Short function-word lists per language.

They carry little meaning for intents and street names, so the matchers give them
no weight. Kept to articles, prepositions, pronouns and auxiliaries: question words
("when", "quand", "cuándo") stay, because they tell intents apart.
Words are folded (no accents), as `normalize` produces them.
"""

from __future__ import annotations

from nlu.text import wordset

STOPWORDS: dict[str, frozenset[str]] = {
    "en": wordset("""a an the of to for in on at by with from and or is are was be been am do does
        did i me my you your we our it its this that there here s d ll m re ve t
        hi hello hey yes please thanks thank just like so well oh okay ok would could can
        want wanted know wondering calling call
        they them their he she what which need needed have has had get got i'm im"""),
    "fr": wordset("""le la les l un une des de du d au aux a en dans sur pour par avec et ou est
        sont c ce ca cela j je me m moi mon ma mes vous votre vos nous notre on il elle
        y qu que qui ne n pas s t se sa son ses bonjour allo oui merci alors voila
        voudrais voulais veux souhaiterais savoir appelle appelais sil plait
        ils elles leur leurs eux quel quelle quels quelles quoi dois doit faut besoin ai as avez"""),
    "es": wordset("""el la los las lo un una unos unas de del al a en con por para y o es son
        esta estan me mi mis yo tu su sus usted nos nuestro que se le les hola buenos
        buenas dias tardes si gracias bueno pues quiero queria quisiera saber llamo
        llamaba favor ellos ellas cual cuales tengo tiene hay necesito necesita"""),
    "it": wordset("""il lo la i gli le un uno una di del della dei delle al alla a in nel nella con per
        da dal dalla e o è sono mi mio mia miei io lei suo sua ci noi nostro che si ne non
        buongiorno buonasera pronto ciao sì si grazie allora ecco vorrei volevo voglio sapere
        chiamo chiamavo per favore cortesia quale quali cosa devo deve serve bisogno ho ha c"""),
}


def stopwords(lang: str) -> frozenset[str]:
    return STOPWORDS.get(lang.split("-")[0].lower(), frozenset())


def without_leading(text: str, function_words: frozenset[str] | set[str]) -> str:
    """The text less the function words it starts with ("una licencia de obra" → "licencia
    de obra", "le 15 janvier" → "15 janvier")."""
    words = text.split()
    while words and words[0] in function_words:
        words.pop(0)
    return " ".join(words)
